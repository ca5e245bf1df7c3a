import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RefractServer
import Testing

@Suite("Plain S3 operations through the routes")
struct GatewayObjectTests {
    @Test func getHeadAndRanges() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/hello.txt", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "hello world")
                #expect(response.headers[.acceptRanges] == "bytes")
            }
            try await client.execute(uri: "/docs/hello.txt", method: .head) { response in
                #expect(response.headers[.contentLength] == "11")
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/docs/hello.txt", method: .get, headers: [.range: "bytes=6-"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.text == "world")
                #expect(response.headers[.contentRange] == "bytes 6-10/11")
            }
            try await client.execute(uri: "/docs/hello.txt", method: .get, headers: [.range: "bytes=50-60"]) {
                #expect($0.status.code == 416)
                #expect($0.errorCode == "InvalidRange")
            }
        }
    }

    @Test func conditionalHeaders() async throws {
        try await GatewayFixture().withClient { client in
            let etag = try await client.execute(uri: "/docs/hello.txt", method: .head) { $0.headers[.eTag] }
            let tag = try #require(etag)
            try await client.execute(uri: "/docs/hello.txt", method: .get, headers: [.ifNoneMatch: tag]) {
                #expect($0.status == .notModified)
            }
            try await client.execute(uri: "/docs/hello.txt", method: .get, headers: [.ifMatch: "\"other\""]) {
                #expect($0.status == .preconditionFailed)
                #expect($0.errorCode == "PreconditionFailed")
            }
            let future = "Sat, 01 Jan 2100 00:00:00 GMT"
            try await client.execute(uri: "/docs/hello.txt", method: .get, headers: [.ifModifiedSince: future]) {
                #expect($0.status == .notModified)
            }
            let past = "Sat, 01 Jan 2000 00:00:00 GMT"
            try await client.execute(uri: "/docs/hello.txt", method: .get, headers: [.ifUnmodifiedSince: past]) {
                #expect($0.status == .preconditionFailed)
            }
        }
    }

    @Test func errorsAreS3XMLWithTheRequestID() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/nope.txt", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.errorCode == "NoSuchKey")
                let requestID = try #require(response.headers[HTTPField.Name("x-amz-request-id")!])
                #expect(response.text.contains("<RequestId>\(requestID)</RequestId>"))
                #expect(response.text.contains("<Resource>/docs/nope.txt</Resource>"))
            }
            try await client.execute(uri: "/nobucket/x", method: .get) { #expect($0.errorCode == "NoSuchBucket") }
        }
    }

    @Test func anonymousCallersOnlyRead() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/new.txt", method: .put, body: ByteBuffer(string: "x")) {
                #expect($0.status == .forbidden)
                #expect($0.errorCode == "AccessDenied")
            }
            try await client.execute(uri: "/docs/new.txt", method: .get) { #expect($0.errorCode == "NoSuchKey") }
            try await client.execute(uri: "/docs/hello.txt", method: .delete) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/vault/secret.txt", method: .get) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/vault?list-type=2", method: .get) { #expect($0.status == .forbidden) }
        }
    }

    @Test func listsPublicBuckets() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs?list-type=2&max-keys=1", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("<Key>hello.txt</Key>"))
                #expect(!response.text.contains("<Key>photo.png</Key>"))
                #expect(response.text.contains("<IsTruncated>true</IsTruncated>"))
                #expect(response.text.contains("<NextContinuationToken>"))
            }
        }
    }

    @Test func gatewayEndpoints() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/_refract/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/_refract/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/docs/hello.txt!upper", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/_refract/metrics", method: .get) { response in
                #expect(response.text.contains("refract_requests_total"))
                #expect(response.text.contains(#"transform="upper""#))
                #expect(response.text.contains("refract_request_duration_seconds_bucket"))
            }
            try await client.execute(uri: "/_refract/nothing", method: .get) { #expect($0.status == .notFound) }
        }
    }
}

/// With no `buckets:` configured, every folder of the store that is a valid S3 bucket name is a public bucket.
@Test func discoveredBucketsFollowS3sNamingRules() async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("refract-discovery-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    for folder in ["docs", "b", "Upper"] {
        let url = root.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: url.appendingPathComponent("hello.txt"))
    }
    let gateway = try Gateway(
        configuration: RefractConfiguration.parse(
            yaml: "stores:\n  local: {type: filesystem, root: \(root.path)}", environment: [:]),
        transforms: [],
        logger: Logger(label: "test")
    )
    try await gateway.application(port: 0).test(.router) { client in
        #expect(try await client.execute(uri: "/docs/hello.txt", method: .get).text == "hello")
        for folder in ["b", "Upper"] {
            let response = try await client.execute(uri: "/\(folder)/hello.txt", method: .get)
            #expect(response.status == .notFound, "\(folder)")
            #expect(response.errorCode == "NoSuchBucket", "\(folder)")
        }
    }
}
