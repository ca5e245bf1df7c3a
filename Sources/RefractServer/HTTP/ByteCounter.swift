import NIOCore
import RefractCore
import Synchronization

/// Counts the bytes that pass through bodies, for the access log and the metrics.
final class ByteCounter: Sendable {
    private let count = Atomic<Int>(0)

    var total: Int { count.load(ordering: .relaxed) }

    func add(_ bytes: Int) {
        count.add(bytes, ordering: .relaxed)
    }
}

extension ObjectBody {
    /// This body, adding the size of each buffer to `counter` as it passes.
    func counted(by counter: ByteCounter) -> ObjectBody {
        ObjectBody(CountedBody(base: self, counter: counter))
    }
}

private struct CountedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: ObjectBody
    let counter: ByteCounter

    func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), counter: counter)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: ObjectBody.AsyncIterator
        let counter: ByteCounter

        mutating func next() async throws -> ByteBuffer? {
            let buffer = try await base.next()
            if let buffer { counter.add(buffer.readableBytes) }
            return buffer
        }
    }
}
