import NIOCore

/// A body whose buffers are joined until each holds at least `minimumBytes` (the last may hold less).
///
/// A store's response arrives in socket-sized reads of a few KiB to 64 KiB; each buffer handed on costs the
/// response writer a hop to the event loop, so fewer, larger buffers carry the same bytes for less.
struct CoalescedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    let base: Base
    let minimumBytes: Int

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), minimumBytes: minimumBytes)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let minimumBytes: Int

        mutating func next() async throws -> ByteBuffer? {
            guard var collected = try await base.next() else { return nil }
            while collected.readableBytes < minimumBytes, let buffer = try await base.next() {
                collected.writeImmutableBuffer(buffer)
            }
            return collected
        }
    }
}
