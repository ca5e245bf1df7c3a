import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Transformed GETs")
struct GatewayTransformTests {
    @Test func streamsThroughThePipelineWithDerivedHeaders() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/hello.txt!upper", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "HELLO WORLD")
                #expect(response.headers[.contentType] == "text/plain")
                #expect(response.headers[.cacheControl] == "public, max-age=3600")
                #expect(response.headers[.contentLanguage] == "en")
                #expect(response.headers[HTTPField.Name("x-amz-request-id")!]?.count == 16)
                let etag = try #require(response.headers[.eTag])
                #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
            }
        }
    }

    @Test func answers304FromTheDerivedETag() async throws {
        try await GatewayFixture().withClient { client in
            let etag = try await client.execute(uri: "/docs/hello.txt!upper", method: .get) { $0.headers[.eTag] }
            try await client.execute(
                uri: "/docs/hello.txt!upper",
                method: .get,
                headers: [.ifNoneMatch: try #require(etag)]
            ) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
            }
        }
    }

    @Test func etagFollowsTheCanonicalPipeline() async throws {
        try await GatewayFixture().withClient { client in
            func etag(_ uri: String) async throws -> String? {
                try await client.execute(uri: uri, method: .get) { $0.headers[.eTag] }
            }
            let implicitDefault = try await etag("/docs/hello.txt!repeat")
            let explicitDefault = try await etag("/docs/hello.txt!repeat:times=2")
            let bare = try await etag("/docs/hello.txt!repeat:2")
            let three = try await etag("/docs/hello.txt!repeat:3")
            #expect(implicitDefault == explicitDefault)
            #expect(bare == explicitDefault)
            #expect(three != explicitDefault)
            #expect(try await etag("/docs/hello.txt!shout") == (try await etag("/docs/hello.txt!upper!repeat:3")))
        }
    }

    @Test func presetsExpand() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/hello.txt!shout", method: .get) { response in
                #expect(response.text == "HELLO WORLDHELLO WORLDHELLO WORLD")
            }
        }
    }

    @Test func rangeIsIgnored() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/hello.txt!upper", method: .get, headers: [.range: "bytes=0-1"]) {
                #expect($0.status == .ok)
                #expect($0.text == "HELLO WORLD")
            }
        }
    }

    @Test func headReportsTheTransformedLength() async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: "/docs/hello.txt!repeat:3", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == "33")
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test(arguments: [
        ("/docs/hello.txt!nosuch", 400, "InvalidTransform", "nosuch"),
        ("/docs/hello.txt!repeat:times=99", 400, "InvalidTransform", "times"),
        ("/docs/hello.txt!repeat:size=2", 400, "InvalidTransform", "size"),
        ("/docs/photo.png!upper", 415, "UnsupportedMediaType", "upper"),
        ("/docs/hello.txt!corrupt", 422, "UnprocessableSource", "not a valid document"),
        ("/docs/missing.txt!upper", 404, "NoSuchKey", "key"),
        ("/vault/secret.txt!upper", 403, "AccessDenied", "Access Denied"),
    ])
    func failuresAreS3Errors(uri: String, status: Int, code: String, messagePart: String) async throws {
        try await GatewayFixture().withClient { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status.code == status)
                #expect(response.errorCode == code)
                #expect(response.text.contains(messagePart))
                #expect(response.headers[.contentType] == "application/xml")
            }
            // The gateway keeps answering after every failure.
            try await client.execute(uri: "/docs/hello.txt!upper", method: .get) { #expect($0.status == .ok) }
        }
    }
}
