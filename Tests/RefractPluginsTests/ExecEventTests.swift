import Foundation
import Logging
import NIOCore
import RefractCore
import Testing

@testable import RefractPlugins

@Suite struct ExecEventTests {
    /// Text that only correct escaping keeps intact.
    static let tricky = "a \"quoted\" \\ back\\slash\nnew line\ttab\r\u{1}\u{1F} déjà vu 猫 🐈 </script>"

    private func decode(_ json: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func encodesEveryFieldAndEscapesEveryString() throws {
        let lastModified = Date(timeIntervalSince1970: 1_700_000_000.25)
        let deadline = Date(timeIntervalSince1970: 1_700_000_100.5)
        let context = TransformContext(
            requestID: Self.tricky,
            deadline: .now + .seconds(10),
            logger: Logger(label: "exec-tests", factory: { _ in SwiftLogNoOpLogHandler() }),
            parameters: TransformParameters([
                "count": .integer(-3), "ratio": .number(0.25), "flag": .boolean(true), "text": .string(Self.tricky),
            ]),
            source: SourceMetadata(
                bucket: "photos",
                key: Self.tricky,
                contentType: "text/plain",
                contentLength: 1234,
                etag: "\"e\"",
                lastModified: lastModified,
                userMetadata: ["note": Self.tricky]
            ),
            requestHeaders: ["x-custom": Self.tricky, "accept": "*/*"],
            payload: "{\"mask\": \"*\"}",
            requestURL: "/photos/\(Self.tricky)!redact"
        )
        let input = TransformInput(body: .empty, contentType: "text/markdown", contentLength: nil)
        let descriptor = TransformDescriptor(name: "redact", version: "2.0.0", summary: "")
        let event = ExecEvent(descriptor: descriptor, input: input, context: context, deadline: deadline)

        let json = try decode(event.json)
        #expect(json["requestId"] as? String == Self.tricky)
        let transform = try #require(json["transform"] as? [String: Any])
        #expect(transform["name"] as? String == "redact")
        #expect(transform["version"] as? String == "2.0.0")
        let parameters = try #require(transform["parameters"] as? [String: Any])
        #expect(parameters["count"] as? Int == -3)
        #expect(parameters["ratio"] as? Double == 0.25)
        #expect(parameters["flag"] as? Bool == true)
        #expect(parameters["text"] as? String == Self.tricky)
        let source = try #require(json["source"] as? [String: Any])
        #expect(source["bucket"] as? String == "photos")
        #expect(source["key"] as? String == Self.tricky)
        #expect(source["contentType"] as? String == "text/plain")
        #expect(source["size"] as? Int == 1234)
        #expect(source["etag"] as? String == "\"e\"")
        #expect(source["lastModified"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(source["metadata"] as? [String: String] == ["note": Self.tricky])
        let eventInput = try #require(json["input"] as? [String: Any])
        #expect(eventInput["contentType"] as? String == "text/markdown")
        #expect(eventInput["size"] is NSNull)
        let userRequest = try #require(json["userRequest"] as? [String: Any])
        #expect(userRequest["url"] as? String == "/photos/\(Self.tricky)!redact")
        #expect(userRequest["headers"] as? [String: String] == ["x-custom": Self.tricky, "accept": "*/*"])
        #expect(json["payload"] as? String == "{\"mask\": \"*\"}")
        #expect(json["deadline"] as? String == "2023-11-14T22:15:00.500Z")
    }

    @Test func unknownValuesAreNull() throws {
        let context = TransformContext(
            requestID: "r",
            deadline: .now + .seconds(10),
            logger: Logger(label: "exec-tests", factory: { _ in SwiftLogNoOpLogHandler() }),
            source: SourceMetadata(
                bucket: "b",
                key: "k",
                contentType: "",
                contentLength: nil,
                etag: "",
                lastModified: nil
            )
        )
        let input = TransformInput(body: .empty, contentType: "", contentLength: nil)
        let descriptor = TransformDescriptor(name: "p", version: "1", summary: "")
        let event = ExecEvent(descriptor: descriptor, input: input, context: context, deadline: Date())

        let json = try decode(event.json)
        let source = try #require(json["source"] as? [String: Any])
        #expect(source["size"] is NSNull)
        #expect(source["lastModified"] is NSNull)
        #expect(json["payload"] is NSNull)
        let transform = try #require(json["transform"] as? [String: Any])
        #expect((transform["parameters"] as? [String: Any])?.isEmpty == true)
    }
}
