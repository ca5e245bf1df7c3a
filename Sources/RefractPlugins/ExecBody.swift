import AsyncAlgorithms
import NIOCore

/// The response of an exec plugin's run: its header section, then its body, read as the client takes it.
///
/// A reader that stops early stops the run: a reader cancelled while it waits, or the body and all its iterators
/// dropped before the end, kill the plugin's process group.
struct ExecBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private let run: ExecRun
    private let lease: Lease

    init(run: ExecRun) {
        self.run = run
        self.lease = Lease(run: run)
    }

    /// Waits for the response's header section.
    ///
    /// - Throws: the run's failure, or `CancellationError` when the task is cancelled.
    func head() async throws -> CGIResponseHead {
        let run = self.run
        var heads = run.head.makeAsyncIterator()
        let head = try await withTaskCancellationHandler {
            try await heads.next()
        } onCancel: {
            run.stop(.abandoned)
        }
        // The channel finishes without a head only when the run was abandoned: this task was cancelled.
        guard let head else { throw CancellationError() }
        return head
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(run: run, lease: lease, buffers: run.body.makeAsyncIterator())
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let run: ExecRun
        /// Keeps the run going while the iterator lives, even once the body itself is dropped.
        let lease: Lease
        var buffers: AsyncThrowingChannel<ByteBuffer, any Error>.Iterator

        mutating func next() async throws -> ByteBuffer? {
            let run = self.run
            let buffer = try await withTaskCancellationHandler {
                try await buffers.next()
            } onCancel: {
                run.stop(.abandoned)
            }
            // A channel that finishes before the run succeeded was abandoned: never a truncated success.
            guard buffer != nil || run.hasSucceeded else { throw CancellationError() }
            return buffer
        }
    }

    /// Stops the run when the last holder of the body or of one of its iterators lets go of it; a run that is over
    /// is not affected.
    final class Lease: Sendable {
        private let run: ExecRun

        init(run: ExecRun) {
            self.run = run
        }

        deinit {
            run.stop(.abandoned)
        }
    }
}
