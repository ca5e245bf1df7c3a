import Foundation
import Logging
import NIOCore
import RefractCore
import RefractImage
import Synchronization

/// Runs image pipelines the way the gateway does: parsed by a `TransformRegistry` of the image transforms and run
/// with `Pipeline.run`, so that adjacent image steps fuse into one unit.
struct ImageHarness {
    private static let sharedHarness = Result {
        // A queue long enough for every test running at once: the queue's own limit is tested with its own engine.
        try ImageHarness(engine: ImageEngine(limits: ImageLimits(), workers: 2, queueLimit: 1000, logger: logger))
    }

    /// A harness on an engine with the default limits, shared by the tests that do not need limits of their own.
    static func shared() throws -> ImageHarness { try sharedHarness.get() }

    static let logger = Logger(label: "refract.image.tests")

    let engine: ImageEngine
    let registry: TransformRegistry

    init(engine: ImageEngine) throws {
        self.engine = engine
        registry = try TransformRegistry(transforms: ImageTransforms.all(engine: engine))
    }

    /// An engine of its own with `limits`, for tests that change them; shut it down when done.
    static func withEngine<Result>(
        limits: ImageLimits = ImageLimits(),
        workers: Int = 1,
        queueLimit: Int = 4,
        _ body: (ImageHarness) async throws -> Result
    ) async throws -> Result {
        let engine = ImageEngine(limits: limits, workers: workers, queueLimit: queueLimit, logger: logger)
        do {
            let result = try await body(ImageHarness(engine: engine))
            try await engine.shutdown()
            return result
        } catch {
            try await engine.shutdown()
            throw error
        }
    }

    /// Runs `suffix` on `source` and returns the output with its bytes.
    func run(
        _ suffix: String,
        on source: Data,
        contentType: String = "image/jpeg",
        requestHeaders: [String: String] = [:]
    ) async throws -> (output: TransformOutput, bytes: Data) {
        try await run(
            suffix,
            input: TransformInput(
                body: ObjectBody(buffer: ByteBuffer(bytes: source)),
                contentType: contentType,
                contentLength: source.count
            ),
            requestHeaders: requestHeaders
        )
    }

    func run(
        _ suffix: String,
        input: TransformInput,
        requestHeaders: [String: String] = [:]
    ) async throws -> (output: TransformOutput, bytes: Data) {
        let pipeline = try registry.pipeline(for: suffix)
        let output = try await pipeline.run(input, context: Self.context(requestHeaders: requestHeaders))
        var bytes = Data()
        for try await buffer in output.body {
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return (output, bytes)
    }

    /// Runs `suffix` on `source` and decodes the output.
    func decoded(
        _ suffix: String,
        on source: Data,
        requestHeaders: [String: String] = [:]
    ) async throws -> DecodedImage {
        try await DecodedImage(await run(suffix, on: source, requestHeaders: requestHeaders).bytes)
    }

    static func context(requestHeaders: [String: String] = [:]) -> TransformContext {
        TransformContext(
            requestID: "image-test",
            deadline: .now + .seconds(60),
            logger: logger,
            source: SourceMetadata(
                bucket: "photos",
                key: "source",
                contentType: "image/jpeg",
                contentLength: nil,
                etag: "\"source\"",
                lastModified: nil
            ),
            requestHeaders: requestHeaders
        )
    }
}
