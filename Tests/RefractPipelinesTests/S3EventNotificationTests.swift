import Foundation
import RefractPipelines
import Testing

@Suite struct S3EventNotificationTests {
    let sequencers = SequencerClock { 0x1000 }

    func parse(_ json: String) throws(S3EventNotificationError) -> S3EventNotification {
        try S3EventNotification(json: Data(json.utf8), sequencers: sequencers)
    }

    /// Amazon S3's put notification (event structure 2.1), as its documentation shows it.
    static let amazonPut = """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-west-2",
          "eventTime":"2024-05-01T10:00:00.000Z","eventName":"ObjectCreated:Put",
          "userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},"requestParameters":{"sourceIPAddress":"203.0.113.7"},
          "responseElements":{"x-amz-request-id":"C3D13FE58DE4C810",
            "x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
          "s3":{"s3SchemaVersion":"1.0","configurationId":"thumbnails",
            "bucket":{"name":"real-photos","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},
                      "arn":"arn:aws:s3:::real-photos"},
            "object":{"key":"uploads/summer+holiday/cat%281%29.jpg","size":1024,
                      "eTag":"d41d8cd98f00b204e9800998ecf8427e","versionId":null,
                      "sequencer":"0055AED6DCD90281E5"}}}]}
        """

    /// Amazon S3's delete notification: no size, no ETag.
    static let amazonDelete = """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-central-1",
          "eventTime":"2024-05-01T10:05:40.621Z","eventName":"ObjectRemoved:Delete",
          "userIdentity":{"principalId":"AWS:AAAAAAAJ2MQ4YFQZ7AULJ"},
          "requestParameters":{"sourceIPAddress":"123.123.123.123"},
          "responseElements":{"x-amz-request-id":"01AFA1430E18C358","x-amz-id-2":"JYnQ9SPr4bPvQMUVEy3pHX"},
          "s3":{"s3SchemaVersion":"1.0","configurationId":"cleanup",
            "bucket":{"name":"real-photos","ownerIdentity":{"principalId":"AAAAAAAAAAAAAA"},
                      "arn":"arn:aws:s3:::real-photos"},
            "object":{"key":"uploads/a.jpg","sequencer":"005E1C37948E783A6E"}}}]}
        """

    /// MinIO's webhook body: `EventName` and `Key` beside the records, the key query-escaped (`/` too), the
    /// `s3:` prefix, and the object's metadata.
    static let minioPut = """
        {"EventName":"s3:ObjectCreated:Put","Key":"photos/uploads/my photo.jpg",
         "Records":[{"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"",
           "eventTime":"2024-05-01T10:00:00.123Z","eventName":"s3:ObjectCreated:Put",
           "userIdentity":{"principalId":"minioadmin"},
           "requestParameters":{"principalId":"minioadmin","region":"","sourceIPAddress":"127.0.0.1"},
           "responseElements":{"x-amz-id-2":"dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8",
             "x-amz-request-id":"17CB4FB9F4C5B3C6","x-minio-deployment-id":"5e4a0c3d",
             "x-minio-origin-endpoint":"http://127.0.0.1:9000"},
           "s3":{"s3SchemaVersion":"1.0","configurationId":"Config",
             "bucket":{"name":"photos","ownerIdentity":{"principalId":"minioadmin"},"arn":"arn:aws:s3:::photos"},
             "object":{"key":"uploads%2Fmy+photo.jpg","size":2048,"eTag":"6c3f4e4b7bd1f0a4ad0c1a1d5e1f2a3b",
               "contentType":"image/jpeg",
               "userMetadata":{"X-Amz-Meta-Refract-Source":"photos/originals/my photo.jpg@abc",
                               "content-type":"image/jpeg"},
               "sequencer":"17CB4FB9F4D6C2A1"}},
           "source":{"host":"127.0.0.1","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.70"}}]}
        """

    @Test func readsAmazonsPutNotification() throws {
        let notification = try parse(Self.amazonPut)
        #expect(
            notification.events == [
                ObjectEvent(
                    bucket: "real-photos",
                    key: "uploads/summer holiday/cat(1).jpg",
                    kind: .put,
                    etag: "d41d8cd98f00b204e9800998ecf8427e",
                    size: 1024,
                    sequencer: "0055AED6DCD90281E5"
                )
            ])
        #expect(notification.records.first?.eventName == "ObjectCreated:Put")
        #expect(notification.records.first?.userMetadata == [:])
        #expect(notification.subscriptionConfirmationURL == nil)
    }

    @Test func readsAmazonsDeleteNotification() throws {
        #expect(
            try parse(Self.amazonDelete).events == [
                ObjectEvent(bucket: "real-photos", key: "uploads/a.jpg", kind: .delete, sequencer: "005E1C37948E783A6E")
            ])
    }

    @Test func readsMinIOsWebhook() throws {
        let notification = try parse(Self.minioPut)
        #expect(
            notification.events == [
                ObjectEvent(
                    bucket: "photos",
                    key: "uploads/my photo.jpg",
                    kind: .put,
                    etag: "6c3f4e4b7bd1f0a4ad0c1a1d5e1f2a3b",
                    size: 2048,
                    sequencer: "17CB4FB9F4D6C2A1"
                )
            ])
        #expect(notification.records.first?.userMetadata == ["refract-source": "photos/originals/my photo.jpg@abc"])
    }

    @Test(arguments: [
        ("s3:ObjectCreated:Put", ObjectEvent.Kind.put),
        ("ObjectCreated:Post", .put),
        ("s3:ObjectCreated:Copy", .put),
        ("ObjectCreated:CompleteMultipartUpload", .put),
        ("s3:ObjectCreated:CompleteMultipartUpload", .put),
        ("ObjectRemoved:Delete", .delete),
        ("s3:ObjectRemoved:DeleteMarkerCreated", .delete),
        ("LifecycleExpiration:Delete", .delete),
    ])
    func mapsEventNames(name: String, kind: ObjectEvent.Kind) throws {
        let json = Self.amazonPut.replacingOccurrences(of: "ObjectCreated:Put", with: name)
        #expect(try parse(json).events.map(\.kind) == [kind])
    }

    @Test(arguments: [
        "s3:ObjectAccessed:Get", "ObjectAccessed:Head", "s3:ObjectCreated:PutTagging", "ObjectRestore:Completed",
        "s3:Replication:OperationFailedReplication", "s3:TestEvent", "Whatever",
    ])
    func leavesOutOtherEvents(name: String) throws {
        let json = Self.amazonPut.replacingOccurrences(of: "ObjectCreated:Put", with: name)
        #expect(try parse(json).records.isEmpty)
    }

    @Test func keepsTheRecordsOrderAndLeavesOutOnlyTheOthers() throws {
        let put = Self.record(name: "ObjectCreated:Put", key: "a.txt", sequencer: "01")
        let read = Self.record(name: "ObjectAccessed:Get", key: "b.txt", sequencer: "02")
        let delete = Self.record(name: "ObjectRemoved:Delete", key: "c.txt", sequencer: "03")
        let notification = try parse(#"{"Records":[\#(put),\#(read),\#(delete)]}"#)
        #expect(notification.events.map(\.key) == ["a.txt", "c.txt"])
        #expect(notification.events.map(\.sequencer) == ["01", "03"])
    }

    static func record(name: String, key: String, sequencer: String?, size: String = "5") -> String {
        let sequencerField = sequencer.map { #","sequencer":"\#($0)""# } ?? ""
        return #"""
            {"eventName":"\#(name)","s3":{"bucket":{"name":"b"},
             "object":{"key":"\#(key)","size":\#(size),"eTag":"\"e1\""\#(sequencerField)}}}
            """#
    }

    @Test func acceptsWhatOtherStoresSend() throws {
        // Ceph sends the size as a string; some stores send no sequencer: the clock gives one.
        let record = Self.record(name: "ObjectCreated:Put", key: "a.txt", sequencer: nil, size: #""1024""#)
        let events = try parse(#"{"Records":[\#(record)]}"#).events
        #expect(
            events == [
                ObjectEvent(
                    bucket: "b", key: "a.txt", kind: .put, etag: "e1", size: 1024, sequencer: "0000000000001000")
            ])
    }

    @Test func opensSNSEnvelopes() throws {
        let envelope: [String: String] = [
            "Type": "Notification",
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": "arn:aws:sns:eu-central-1:123456789012:uploads",
            "Subject": "Amazon S3 Notification",
            "Message": Self.amazonDelete,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: envelope), as: UTF8.self)
        #expect(try parse(json).events.map(\.key) == ["uploads/a.jpg"])

        let confirmation = """
            {"Type":"SubscriptionConfirmation","MessageId":"165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
             "Token":"2336412f37f","TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic",
             "SubscribeURL":"https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37f"}
            """
        let confirmed = try parse(confirmation)
        #expect(confirmed.records.isEmpty)
        #expect(confirmed.subscriptionConfirmationURL?.hasPrefix("https://sns.us-west-2.amazonaws.com/") == true)
    }

    @Test func s3sTestEventCarriesNoRecords() throws {
        let test = """
            {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-05-01T10:00:00.000Z",
             "Bucket":"real-photos","RequestId":"5582815E1AEA5ADF",
             "HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}
            """
        #expect(try parse(test).records.isEmpty)
    }

    /// A body of one put record in bucket `b`, with `object` as its `s3.object`.
    static func putRecord(object: String) -> String {
        #"{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": \#(object)}}]}"#
    }

    @Test(arguments: [
        ("{\"Records\": [", "The body is not valid JSON."),
        ("[1, 2]", "The body must be a JSON object with a Records array."),
        ("{}", "The body has no Records array."),
        (#"{"Records": {}}"#, "Records must be an array."),
        (#"{"Records": [7]}"#, "Records[0] must be an object."),
        (#"{"Records": [{"s3": {}}]}"#, "Records[0].eventName is missing or not a string."),
        (#"{"Records": [{"eventName": "ObjectCreated:Put"}]}"#, "Records[0].s3 is missing or not an object."),
        (
            #"{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "a"}}}]}"#,
            "Records[0].s3.bucket.name is missing or not a string."
        ),
        (
            #"{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}}}]}"#,
            "Records[0].s3.object is missing or not an object."
        ),
        (
            putRecord(object: "{}"),
            "Records[0].s3.object.key is missing or not a string."
        ),
        (
            putRecord(object: #"{"key": "a%zz"}"#),
            "Records[0].s3.object.key is not a valid URL-encoded key: a%zz"
        ),
        (
            putRecord(object: #"{"key": "a", "size": "big"}"#),
            "Records[0].s3.object.size is not a number: big"
        ),
        (#"{"Type": "Notification"}"#, "The SNS notification has no Message string."),
    ])
    func refusesMalformedBodiesSayingWhy(json: String, message: String) {
        #expect(throws: S3EventNotificationError(message)) { try parse(json) }
    }
}
