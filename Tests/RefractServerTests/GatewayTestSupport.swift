import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RefractCore
import RefractServer
import Testing

/// A gateway over a fresh temporary store, for route tests.
///
/// The store holds bucket `docs` (public: `hello.txt`, `photo.png`) and bucket `vault` (private: `secret.txt`).
struct GatewayFixture {
    let root: URL
    /// YAML appended to the configuration (a `security:` section, say).
    let extraConfiguration: String

    init(extraConfiguration: String = "") throws {
        self.extraConfiguration = extraConfiguration
        root = FileManager.default.temporaryDirectory.appendingPathComponent("refract-tests-\(UUID().uuidString)")
        try write("docs/hello.txt", "hello world")
        try write("docs/photo.png", "\u{89}PNG not really")
        try write("vault/secret.txt", "top secret")
    }

    func write(_ path: String, _ contents: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    var configuration: String {
        """
        stores:
          local: {type: filesystem, root: \(root.path)}
        buckets:
          docs: {store: local, public: true}
          vault: {store: local}
        presets:
          shout: "upper!repeat:3"
        \(extraConfiguration)
        """
    }

    /// Runs `test` against a gateway with the test transforms, then removes the store.
    func withClient(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let gateway = try Gateway(
            configuration: RefractConfiguration.parse(yaml: configuration, environment: [:]),
            transforms: [UppercaseTransform(), RepeatTransform(), CorruptSourceTransform(), PayloadEchoTransform()],
            logger: Logger(label: "test")
        )
        try await gateway.application(port: 0).test(.router, test)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The `<Code>` of an S3 XML error body.
    var errorCode: String? {
        guard let start = text.range(of: "<Code>"), let end = text.range(of: "</Code>") else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
