/// Something that happened to an object: it was written or removed.
///
/// Events come from the gateway's own PutObject and DeleteObject, from S3 event notifications, and from backfills.
/// `bucket` is the gateway's name for the bucket, the one pipelines are configured on.
public struct ObjectEvent: Sendable, Hashable {
    /// What happened to the object.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The object was written (PutObject, CopyObject, CompleteMultipartUpload, POST).
        case put
        /// The object was removed.
        case delete
    }

    /// The gateway bucket (for a store's notification: the store's bucket name, until the receiver maps it).
    public var bucket: String
    /// The object's key, decoded.
    public var key: String
    public var kind: Kind
    /// The written object's entity tag, without quotes; nil for deletes and when the sender did not say.
    public var etag: String?
    /// The written object's size in bytes, when known.
    public var size: Int?
    /// Orders the events of one key: the later event has the greater sequencer (see ``Sequencer``).
    public var sequencer: String

    /// - Parameter etag: with or without its quotes; stored without.
    public init(bucket: String, key: String, kind: Kind, etag: String? = nil, size: Int? = nil, sequencer: String) {
        self.bucket = bucket
        self.key = key
        self.kind = kind
        self.etag = etag.map(Self.unquoted).flatMap { $0.isEmpty ? nil : $0 }
        self.size = size
        self.sequencer = sequencer
    }

    /// An entity tag without the quotes HTTP puts around it (`"abc"` -> `abc`).
    public static func unquoted(_ etag: String) -> String {
        var value = Substring(etag)
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
        return String(value)
    }
}
