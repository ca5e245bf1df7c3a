import Logging
import NIOCore
import RefractCore
import Synchronization

/// SplitMix64: a tiny deterministic generator, so a failing random case comes back on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// A registry of the stand-ins for the built-in transforms and the text transforms, with `presets`.
func makeRegistry(
    presets: [String: String] = [:],
    onlyPresets: Bool = false,
    reverseLimit: Int = 16
) throws -> TransformRegistry {
    let textTransforms: [any Transform] = [
        UppercaseTransform(), BracketTransform(), ReverseTransform(maxInputBytes: reverseLimit), PauseTransform(),
    ]
    return try TransformRegistry(
        transforms: StandInTransform.all + textTransforms,
        presets: presets,
        onlyPresets: onlyPresets
    )
}

func makeContext(
    deadline: ContinuousClock.Instant = .now + .seconds(30),
    requestHeaders: [String: String] = [:]
) -> TransformContext {
    TransformContext(
        requestID: "test-request",
        deadline: deadline,
        logger: Logger(label: "refract.tests"),
        source: SourceMetadata(
            bucket: "photos",
            key: "cat.jpg",
            contentType: "image/jpeg",
            contentLength: nil,
            etag: "\"source-etag\"",
            lastModified: nil
        ),
        requestHeaders: requestHeaders
    )
}

/// A body of several chunks, each handed out by its own `next()`.
struct Chunks: AsyncSequence, Sendable {
    let chunks: [String]

    init(_ chunks: [String]) {
        self.chunks = chunks
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: chunks[...])
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<String>

        mutating func next() async -> ByteBuffer? {
            remaining.popFirst().map { ByteBuffer(string: $0) }
        }
    }
}

func textInput(_ chunks: [String], contentType: String = "text/plain", contentLength: Int? = nil) -> TransformInput {
    TransformInput(body: ObjectBody(Chunks(chunks)), contentType: contentType, contentLength: contentLength)
}

/// Every chunk of a body, as text.
func chunks(of body: ObjectBody) async throws -> [String] {
    var chunks: [String] = []
    for try await buffer in body {
        chunks.append(String(buffer: buffer))
    }
    return chunks
}

/// A one-time barrier the test opens, remembering whether it has been.
final class Gate: Sendable {
    private let opened = Mutex(false)
    private let signal: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (signal, continuation) = AsyncStream.makeStream()
    }

    var isOpen: Bool { opened.withLock { $0 } }

    func open() {
        opened.withLock { $0 = true }
        continuation.finish()
    }

    /// Returns once the gate is open; only one task may wait.
    func wait() async {
        for await _ in signal {}
    }
}

/// A source that hands out `beforeGate`, then waits for `gate` before handing out `afterGate`.
struct GatedChunks: AsyncSequence, Sendable {
    let beforeGate: String
    let afterGate: String
    let gate: Gate

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: self)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: GatedChunks
        var chunksGiven = 0

        mutating func next() async -> ByteBuffer? {
            defer { chunksGiven += 1 }
            switch chunksGiven {
            case 0:
                return ByteBuffer(string: source.beforeGate)
            case 1:
                await source.gate.wait()
                return ByteBuffer(string: source.afterGate)
            default:
                return nil
            }
        }
    }
}
