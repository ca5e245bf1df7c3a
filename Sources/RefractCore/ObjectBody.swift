public import NIOCore

/// An object's bytes as they stream: an async sequence of `ByteBuffer`s, pulled one at a time.
///
/// The sequence is pull-driven, so whoever produces it only reads what the consumer asks for: that is the
/// backpressure every body in Refract relies on. A body is meant to be iterated once.
public struct ObjectBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private let makeIterator: @Sendable () -> AsyncIterator

    /// Wraps any async sequence of buffers.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        self.makeIterator = {
            var iterator = base.makeAsyncIterator()
            return AsyncIterator { try await iterator.next() }
        }
    }

    /// A body of one buffer, already in memory.
    public init(buffer: ByteBuffer) {
        self.makeIterator = {
            var remaining: ByteBuffer? = buffer.readableBytes > 0 ? buffer : nil
            return AsyncIterator {
                defer { remaining = nil }
                return remaining
            }
        }
    }

    /// A body with no bytes.
    public static var empty: ObjectBody { ObjectBody(buffer: ByteBuffer()) }

    public func makeAsyncIterator() -> AsyncIterator { makeIterator() }

    /// Iterates a body through a closure that yields its next buffer.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let nextBuffer: () async throws -> ByteBuffer?

        init(_ nextBuffer: @escaping () async throws -> ByteBuffer?) {
            self.nextBuffer = nextBuffer
        }

        public mutating func next() async throws -> ByteBuffer? {
            try await nextBuffer()
        }
    }
}

extension ObjectBody {
    /// Gathers the whole body into one buffer, refusing bodies larger than `maxBytes`.
    ///
    /// Only for transforms that cannot work on a stream; `tooLarge` is thrown as soon as the limit is passed,
    /// before the rest of the body is read.
    public func collect(upTo maxBytes: Int, tooLarge: @autoclosure () -> RefractError) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var buffer in self {
            guard collected.readableBytes + buffer.readableBytes <= maxBytes else { throw tooLarge() }
            collected.writeBuffer(&buffer)
        }
        return collected
    }
}
