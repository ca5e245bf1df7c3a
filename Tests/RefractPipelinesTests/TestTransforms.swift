import Foundation
import NIOCore
import RefractCore
import Synchronization

/// Small real transforms for the pipeline tests (images belong to another module).
enum TestTransforms {
    /// `upper`: text in upper case, streamed buffer by buffer, its length known when the input's is.
    struct Uppercase: Transform {
        var descriptor: TransformDescriptor {
            TransformDescriptor(name: "upper", version: "1", summary: "Upper-cases text", accepts: ["text/*"])
        }

        func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
            let body = input.body.map { buffer in
                ByteBuffer(string: String(buffer: buffer).uppercased())
            }
            return TransformOutput(
                body: ObjectBody(body), contentType: "text/plain", contentLength: input.contentLength)
        }
    }

    /// `repeat:n=N`: the input N times, streamed without a length.
    struct Repeat: BufferedTransform {
        var maxInputBytes: Int { 1 << 20 }
        var descriptor: TransformDescriptor {
            TransformDescriptor(
                name: "repeat",
                version: "1",
                summary: "Repeats the input",
                parameters: [TransformParameter(name: "n", kind: .integer(1...100_000), summary: "times")],
                primaryParameter: "n"
            )
        }

        func apply(buffer: ByteBuffer, contentType: String, context: TransformContext) async throws
            -> TransformOutput
        {
            let count = context.parameters.integer("n") ?? 1
            return TransformOutput(
                body: ObjectBody(Copies(buffer: buffer, remaining: count)), contentType: "application/octet-stream")
        }

        /// `buffer`, `remaining` times, made as they are pulled.
        struct Copies: AsyncSequence, AsyncIteratorProtocol, Sendable {
            let buffer: ByteBuffer
            var remaining: Int

            func makeAsyncIterator() -> Copies { self }

            mutating func next() async throws -> ByteBuffer? {
                guard remaining > 0 else { return nil }
                remaining -= 1
                return buffer
            }
        }
    }

    /// `fail`: fails as a broken transform does (502, worth retrying), counting its calls.
    struct Failing: Transform {
        let calls: Counter

        var descriptor: TransformDescriptor {
            TransformDescriptor(name: "fail", version: "1", summary: "Always fails")
        }

        func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
            calls.increment(context.source.key)
            throw RefractError.transformFailed("the test transform fails on purpose")
        }
    }

    /// `record`: passes the input through, counting its calls by source key.
    struct Recording: Transform {
        let calls: Counter

        var descriptor: TransformDescriptor {
            TransformDescriptor(name: "record", version: "1", summary: "Counts its calls")
        }

        func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
            calls.increment(context.source.key)
            return TransformOutput(body: input.body, contentType: input.contentType, contentLength: input.contentLength)
        }
    }

    /// `wait`: passes the input through once `gate` opens.
    struct Waiting: Transform {
        let gate: Gate

        var descriptor: TransformDescriptor {
            TransformDescriptor(name: "wait", version: "1", summary: "Waits for the test")
        }

        func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
            gate.arrive()
            try await gate.waitUntilOpen()
            return TransformOutput(body: input.body, contentType: input.contentType, contentLength: input.contentLength)
        }
    }

    /// Calls by key.
    final class Counter: Sendable {
        private let counts = Mutex<[String: Int]>([:])

        func increment(_ key: String) {
            counts.withLock { $0[key, default: 0] += 1 }
        }

        var byKey: [String: Int] { counts.withLock { $0 } }
        var total: Int { byKey.values.reduce(0, +) }
    }

    /// A gate transforms wait at until the test opens it.
    final class Gate: Sendable {
        private let state = Mutex((arrivals: 0, isOpen: false))

        func arrive() { state.withLock { $0.arrivals += 1 } }
        func open() { state.withLock { $0.isOpen = true } }
        var arrivals: Int { state.withLock { $0.arrivals } }

        func waitUntilOpen() async throws {
            while !state.withLock({ $0.isOpen }) { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// A registry of every test transform.
    static func registry(failures: Counter = Counter(), records: Counter = Counter(), gate: Gate = Gate()) throws
        -> TransformRegistry
    {
        try TransformRegistry(transforms: [
            Uppercase(), Repeat(), Failing(calls: failures), Recording(calls: records), Waiting(gate: gate),
        ])
    }
}
