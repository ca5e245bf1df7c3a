import Foundation
import Logging
import NIOCore
import RefractCore
import Synchronization

@testable import RefractTranslate

/// Runs `translate` the way the gateway does: a transform per test, its source streamed in small buffers, its
/// output pulled buffer by buffer.
enum TranslateHarness {
    /// Runs `body` with a transform for `settings`, shut down afterwards whatever happens.
    static func withTransform<Result>(
        _ settings: TranslationSettings,
        _ body: (TranslateTransform) async throws -> Result
    ) async throws -> Result {
        let transform = TranslateTransform(settings: settings)
        let result: Result
        do {
            result = try await body(transform)
        } catch {
            try await transform.shutdown()
            throw error
        }
        try await transform.shutdown()
        return result
    }

    static func settings(
        _ provider: TranslationSettings.Provider,
        server: FakeTranslateServer,
        apiKey: String? = nil,
        maxRequestBytes: Int = 8000,
        concurrency: Int = 4,
        timeout: Duration = .seconds(10)
    ) -> TranslationSettings {
        TranslationSettings(
            provider: provider,
            url: server.url,
            apiKey: apiKey ?? (provider == .deepL ? "deepl-test-key:fx" : nil),
            maxRequestBytes: maxRequestBytes,
            concurrency: concurrency,
            timeout: timeout
        )
    }

    /// The step's context: `to` and `from` as the suffix gives them, a deadline `within` from now.
    static func context(
        to target: String,
        from source: String = "auto",
        within: Duration = .seconds(60),
        logger: Logger = Logger(label: "translate-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    ) -> TransformContext {
        TransformContext(
            requestID: "TESTREQUEST",
            deadline: .now + within,
            logger: logger,
            parameters: TransformParameters(["to": .string(target), "from": .string(source)]),
            source: SourceMetadata(
                bucket: "docs",
                key: "text",
                contentType: "text/plain",
                contentLength: nil,
                etag: "\"etag\"",
                lastModified: nil
            )
        )
    }

    /// The transform's output for `source`, fed in buffers of `chunkBytes`.
    static func apply(
        _ transform: TranslateTransform,
        to source: [UInt8],
        contentType: String,
        context: TransformContext,
        chunkBytes: Int = 1000
    ) async throws -> TransformOutput {
        try await transform.apply(
            TransformInput(
                body: ObjectBody(ChunkedBody(bytes: source, chunkBytes: chunkBytes)),
                contentType: contentType,
                contentLength: source.count
            ),
            context: context
        )
    }

    /// The whole translated text of `source`.
    static func translate(
        _ transform: TranslateTransform,
        _ source: String,
        contentType: String = "text/plain",
        context: TransformContext
    ) async throws -> (output: TransformOutput, text: String) {
        let output = try await apply(transform, to: Array(source.utf8), contentType: contentType, context: context)
        return (output, try await collect(output.body))
    }

    static func collect(_ body: ObjectBody) async throws -> String {
        var bytes: [UInt8] = []
        for try await buffer in body {
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What the fake server makes of a text in text mode.
    static func fakeTranslation(_ text: String) -> String {
        "⟦" + text.uppercased() + "⟧"
    }

    /// `text` without the marks the fake server puts around each translated text.
    static func unmarked(_ text: String) -> String {
        text.replacingOccurrences(of: "⟦", with: "").replacingOccurrences(of: "⟧", with: "")
    }
}

/// A source body of `bytes`, handed out `chunkBytes` at a time.
struct ChunkedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let chunkBytes: Int

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(bytes: bytes, chunkBytes: chunkBytes)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let chunkBytes: Int
        var offset = 0

        mutating func next() async throws -> ByteBuffer? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + chunkBytes, bytes.count)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }
}

/// Counts the bytes a ``CountingBody`` has handed out.
final class ByteCounter: Sendable {
    private let count = Mutex(0)

    var bytes: Int { count.withLock { $0 } }

    fileprivate func add(_ bytes: Int) {
        count.withLock { $0 += bytes }
    }
}

/// A ``ChunkedBody`` that counts what is pulled from it.
struct CountingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let chunkBytes: Int
    let counter: ByteCounter

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: ChunkedBody(bytes: bytes, chunkBytes: chunkBytes).makeAsyncIterator(), counter: counter)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: ChunkedBody.AsyncIterator
        let counter: ByteCounter

        mutating func next() async throws -> ByteBuffer? {
            let chunk = try await chunks.next()
            counter.add(chunk?.readableBytes ?? 0)
            return chunk
        }
    }
}
