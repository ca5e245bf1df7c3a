import NIOCore
import RefractCore
import Synchronization

/// A body that hands out `first`, then holds its end back until the test opens it: a job that is still gathering
/// its source, holding its place in the engine's queue.
final class HeldBody: Sendable {
    private struct State {
        var isOpen = false
        var reachedWaiter: CheckedContinuation<Void, Never>?
        var hasReached = false
        var openWaiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    let first: ByteBuffer

    init(first: ByteBuffer) {
        self.first = first
    }

    var body: ObjectBody {
        ObjectBody(Sequence(held: self))
    }

    /// Returns once the reader has taken `first` and asked for more.
    func waitUntilHeld() async {
        await withCheckedContinuation { continuation in
            let reached = state.withLock { state in
                if state.hasReached { return true }
                state.reachedWaiter = continuation
                return false
            }
            if reached { continuation.resume() }
        }
    }

    /// Lets the body end.
    func open() {
        let waiter = state.withLock { state in
            state.isOpen = true
            defer { state.openWaiter = nil }
            return state.openWaiter
        }
        waiter?.resume()
    }

    fileprivate func holdUntilOpen() async {
        await withCheckedContinuation { continuation in
            let (isOpen, reachedWaiter) = state.withLock { state in
                state.hasReached = true
                defer { state.reachedWaiter = nil }
                if !state.isOpen { state.openWaiter = continuation }
                return (state.isOpen, state.reachedWaiter)
            }
            reachedWaiter?.resume()
            if isOpen { continuation.resume() }
        }
    }

    private struct Sequence: AsyncSequence, Sendable {
        let held: HeldBody

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(held: held) }

        struct AsyncIterator: AsyncIteratorProtocol {
            let held: HeldBody
            var handedOutFirst = false

            mutating func next() async -> ByteBuffer? {
                guard handedOutFirst else {
                    handedOutFirst = true
                    return held.first
                }
                await held.holdUntilOpen()
                return nil
            }
        }
    }
}

/// A body in chunks of `chunkSize`, counting how many bytes were read from it.
final class CountedBody: Sendable {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private let read = Mutex(0)

    init(_ bytes: [UInt8], chunkSize: Int) {
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    var bytesRead: Int { read.withLock { $0 } }

    var body: ObjectBody {
        ObjectBody(Chunks(counted: self))
    }

    private struct Chunks: AsyncSequence, Sendable {
        let counted: CountedBody

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(counted: counted) }

        struct AsyncIterator: AsyncIteratorProtocol {
            let counted: CountedBody
            var offset = 0

            mutating func next() async -> ByteBuffer? {
                guard offset < counted.bytes.count else { return nil }
                let end = Swift.min(offset + counted.chunkSize, counted.bytes.count)
                defer { offset = end }
                counted.read.withLock { $0 += end - offset }
                return ByteBuffer(bytes: counted.bytes[offset..<end])
            }
        }
    }
}
