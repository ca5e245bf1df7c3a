public import Foundation

/// An S3 event notification, as S3 and MinIO's webhook send it, read into object events.
///
/// The body holds `Records`, each with an `eventName` (`s3:ObjectCreated:Put`, `ObjectRemoved:Delete`: the `s3:`
/// prefix is optional), `s3.bucket.name`, and `s3.object` with `key` (URL-encoded, `+` for a space), `size`, `eTag`
/// and `sequencer`. Created events (`Put`, `Post`, `Copy`, `CompleteMultipartUpload`) are puts; removed events
/// (`Delete`, `DeleteMarkerCreated`, and lifecycle expirations) are deletes; every other event (reads, tagging,
/// restores, replication, `s3:TestEvent`) is left out. SNS's envelope (`"Type": "Notification"`, the event JSON in
/// `Message`) is opened, and an SNS subscription confirmation gives its `SubscribeURL`.
///
/// `bucket` in the events is the store's bucket name, as the store sent it.
public struct S3EventNotification: Sendable {
    /// One record the notification carries, with what of it matters here.
    public struct Record: Sendable, Equatable {
        /// `eventName` as sent.
        public var eventName: String
        public var event: ObjectEvent
        /// `s3.object.userMetadata` (MinIO sends it): the `x-amz-meta-*` entries, names lower-cased without the
        /// prefix.
        public var userMetadata: [String: String]
    }

    /// The records of object writes and removals, in the order sent.
    public var records: [Record]
    /// `SubscribeURL` of an SNS subscription confirmation: the subscription starts once it is visited.
    public var subscriptionConfirmationURL: String?

    /// The object events, in the order sent.
    public var events: [ObjectEvent] { records.map(\.event) }

    /// Reads a notification body.
    ///
    /// - Parameter sequencers: gives a sequencer to records that carry none (some S3-compatible stores send none).
    public init(json: Data, sequencers: SequencerClock) throws(S3EventNotificationError) {
        self = try Self.parse(json, sequencers: sequencers)
    }

    private init(records: [Record], subscriptionConfirmationURL: String? = nil) {
        self.records = records
        self.subscriptionConfirmationURL = subscriptionConfirmationURL
    }

    private static func parse(_ json: Data, sequencers: SequencerClock) throws(S3EventNotificationError) -> Self {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw S3EventNotificationError("The body is not valid JSON.")
        }
        guard let object = root as? [String: Any] else {
            throw S3EventNotificationError("The body must be a JSON object with a Records array.")
        }
        if let type = object["Type"] as? String {
            return try snsMessage(object, type: type, sequencers: sequencers)
        }
        guard let records = object["Records"] else {
            if (object["Event"] as? String)?.hasSuffix("TestEvent") == true { return Self(records: []) }
            throw S3EventNotificationError("The body has no Records array.")
        }
        guard let recordList = records as? [Any] else {
            throw S3EventNotificationError("Records must be an array.")
        }
        var parsed: [Record] = []
        for (index, element) in recordList.enumerated() {
            guard let record = element as? [String: Any] else {
                throw S3EventNotificationError("Records[\(index)] must be an object.")
            }
            if let read = try Self.record(record, at: index, sequencers: sequencers) { parsed.append(read) }
        }
        return Self(records: parsed)
    }

    /// What an SNS message to an HTTP endpoint holds: a notification, or the subscription's confirmation.
    private static func snsMessage(
        _ object: [String: Any],
        type: String,
        sequencers: SequencerClock
    ) throws(S3EventNotificationError) -> Self {
        switch type {
        case "Notification":
            guard let message = object["Message"] as? String else {
                throw S3EventNotificationError("The SNS notification has no Message string.")
            }
            return try parse(Data(message.utf8), sequencers: sequencers)
        case "SubscriptionConfirmation":
            guard let url = object["SubscribeURL"] as? String else {
                throw S3EventNotificationError("The SNS subscription confirmation has no SubscribeURL.")
            }
            return Self(records: [], subscriptionConfirmationURL: url)
        default:
            return Self(records: [])
        }
    }

    /// The record's object event, or nil for an event that is neither a write nor a removal.
    private static func record(
        _ record: [String: Any],
        at index: Int,
        sequencers: SequencerClock
    ) throws(S3EventNotificationError) -> Record? {
        let path = "Records[\(index)]"
        guard let eventName = record["eventName"] as? String else {
            throw S3EventNotificationError("\(path).eventName is missing or not a string.")
        }
        guard let kind = kind(ofEventName: eventName) else { return nil }
        guard let s3 = record["s3"] as? [String: Any] else {
            throw S3EventNotificationError("\(path).s3 is missing or not an object.")
        }
        guard let bucket = (s3["bucket"] as? [String: Any])?["name"] as? String, !bucket.isEmpty else {
            throw S3EventNotificationError("\(path).s3.bucket.name is missing or not a string.")
        }
        guard let object = s3["object"] as? [String: Any] else {
            throw S3EventNotificationError("\(path).s3.object is missing or not an object.")
        }
        guard let encodedKey = object["key"] as? String else {
            throw S3EventNotificationError("\(path).s3.object.key is missing or not a string.")
        }
        guard let key = encodedKey.replacingOccurrences(of: "+", with: " ").removingPercentEncoding, !key.isEmpty
        else {
            throw S3EventNotificationError("\(path).s3.object.key is not a valid URL-encoded key: \(encodedKey)")
        }
        let size: Int?
        switch object["size"] {
        case nil, is NSNull: size = nil
        case let number as Int: size = number
        case let text as String:
            guard let number = Int(text) else {
                throw S3EventNotificationError("\(path).s3.object.size is not a number: \(text)")
            }
            size = number
        default: throw S3EventNotificationError("\(path).s3.object.size is not a number.")
        }
        let sequencer = (object["sequencer"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? sequencers.next()
        var userMetadata: [String: String] = [:]
        for case (let name, let value as String) in object["userMetadata"] as? [String: Any] ?? [:] {
            let lowercased = name.lowercased()
            if lowercased.hasPrefix("x-amz-meta-") { userMetadata[String(lowercased.dropFirst(11))] = value }
        }
        let event = ObjectEvent(
            bucket: bucket,
            key: key,
            kind: kind,
            etag: kind == .put ? object["eTag"] as? String : nil,
            size: size,
            sequencer: sequencer
        )
        return Record(eventName: eventName, event: event, userMetadata: userMetadata)
    }

    /// `put` for the events that write an object, `delete` for those that remove one, nil for the rest.
    static func kind(ofEventName eventName: String) -> ObjectEvent.Kind? {
        let name = eventName.hasPrefix("s3:") ? eventName.dropFirst(3) : Substring(eventName)
        switch name {
        case "ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload":
            return .put
        case "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated", "LifecycleExpiration:Delete",
            "LifecycleExpiration:DeleteMarkerCreated":
            return .delete
        default:
            return nil
        }
    }
}
