import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import RefractCore
import RefractServer
import Testing

/// Access points (SPEC §1.3): a bucket name bound to a supporting bucket and a pipeline.
struct GatewayAccessPointTests {
    static let accessPoints = """
        access_points:
          loud: {bucket: docs, pipeline: "upper"}
          greeter: {bucket: docs, pipeline: "echo", payload: {greeting: hi}}
          plain-echo: {bucket: docs, pipeline: "echo"}
          hidden: {bucket: vault, pipeline: "shout"}
        """

    @Test func getRunsThePipelineOnTheSupportingBucketsObject() async throws {
        try await GatewayFixture(extraConfiguration: Self.accessPoints).withClient { client in
            let response = try await client.execute(uri: "/loud/hello.txt", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == "HELLO WORLD")
            let suffixed = try await client.execute(uri: "/docs/hello.txt!upper", method: .get)
            #expect(response.headers[.eTag] == suffixed.headers[.eTag])
            #expect(response.headers[.eTag] != nil)
        }
    }

    @Test func thePayloadAndTheSourceReachTheTransform() async throws {
        try await GatewayFixture(extraConfiguration: Self.accessPoints).withClient { client in
            let greeted = try await client.execute(uri: "/greeter/hello.txt", method: .get)
            #expect(greeted.text == #"{"greeting":"hi"} docs/hello.txt"#)
            let plain = try await client.execute(uri: "/plain-echo/hello.txt", method: .get)
            #expect(plain.text == "no payload docs/hello.txt")
            // The payload is part of what the ETag describes.
            #expect(greeted.headers[.eTag] != plain.headers[.eTag])
        }
    }

    @Test func headAnswersWithTheTransformedObjectsHeaders() async throws {
        try await GatewayFixture(extraConfiguration: Self.accessPoints).withClient { client in
            let head = try await client.execute(uri: "/greeter/hello.txt", method: .head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(#"{"greeting":"hi"} docs/hello.txt"#.utf8.count))
            #expect(head.headers[.contentType] == "text/plain")
            let get = try await client.execute(uri: "/greeter/hello.txt", method: .get)
            #expect(head.headers[.eTag] == get.headers[.eTag])
            let notModified = try await client.execute(
                uri: "/greeter/hello.txt", method: .get, headers: [.ifNoneMatch: get.headers[.eTag] ?? ""])
            #expect(notModified.status == .notModified)
        }
    }

    @Test func listingListsTheSupportingBucketUnderTheAccessPointsName() async throws {
        try await GatewayFixture(extraConfiguration: Self.accessPoints).withClient { client in
            let response = try await client.execute(uri: "/loud?list-type=2", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains("<Name>loud</Name>"))
            #expect(response.text.contains("<Key>hello.txt</Key>"))
            #expect(response.text.contains("<Key>photo.png</Key>"))
        }
    }

    @Test func accessPointsAreReadOnly() async throws {
        try await GatewayFixture(extraConfiguration: Self.accessPoints).withClient { client in
            for method in [HTTPRequest.Method.put, .delete, .post] {
                let response = try await client.execute(uri: "/loud/hello.txt", method: method)
                #expect(response.status == .methodNotAllowed, "\(method)")
                #expect(response.errorCode == "MethodNotAllowed")
            }
            let suffixed = try await client.execute(uri: "/loud/hello.txt!repeat", method: .get)
            #expect(suffixed.errorCode == "InvalidTransform")
        }
    }

    @Test func anAccessPointOnAPrivateBucketNeedsCredentials() async throws {
        try await GatewayFixture(extraConfiguration: Self.accessPoints).withClient { client in
            let read = try await client.execute(uri: "/hidden/secret.txt", method: .get)
            #expect(read.status == .forbidden)
            #expect(read.errorCode == "AccessDenied")
            let list = try await client.execute(uri: "/hidden?list-type=2", method: .get)
            #expect(list.errorCode == "AccessDenied")
        }
    }

    @Test func aPipelineThatCannotRunFailsTheStart() throws {
        let yaml = """
            stores:
              local: {type: filesystem, root: /tmp}
            buckets:
              docs: {store: local}
            access_points:
              broken: {bucket: docs, pipeline: "nosuchstep"}
            """
        #expect {
            _ = try Gateway(
                configuration: RefractConfiguration.parse(yaml: yaml, environment: [:]),
                transforms: [UppercaseTransform()],
                logger: Logger(label: "test")
            )
        } throws: { error in
            (error as? RefractError)?.message.contains("access_points.broken.pipeline") == true
        }
    }
}
