import NIOCore
import RefractCore

extension ObjectBody {
    /// Pulls the first buffer now, so that a failure on it is thrown here, and returns a body that yields that
    /// buffer and then the rest.
    func startingFirstBuffer() async throws -> ObjectBody {
        var iterator = makeAsyncIterator()
        let first = try await iterator.next()
        return ObjectBody(StartedBody(first: first, rest: StartedIterator(iterator)))
    }
}

/// An iterator already pulled once, handed from the task that started it to the one that finishes it.
///
/// `@unchecked Sendable` because the two never overlap: the first task is done with it before the response body,
/// the only other user, exists.
private final class StartedIterator: @unchecked Sendable {
    var iterator: ObjectBody.AsyncIterator

    init(_ iterator: ObjectBody.AsyncIterator) {
        self.iterator = iterator
    }
}

private struct StartedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let first: ByteBuffer?
    let rest: StartedIterator

    func makeAsyncIterator() -> Iterator { Iterator(first: first, rest: rest) }

    struct Iterator: AsyncIteratorProtocol {
        var first: ByteBuffer?
        let rest: StartedIterator

        mutating func next() async throws -> ByteBuffer? {
            if let buffer = first {
                first = nil
                return buffer
            }
            return try await rest.iterator.next()
        }
    }
}
