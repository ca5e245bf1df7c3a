import RefractCore
import Synchronization

/// The runs of one plugin: at most `concurrency` at once, up to `queueLimit` more requests waiting in line for a
/// free run, first come first served, and any further request refused at once with `SlowDown`.
///
/// Every runtime takes a slot before a run starts and gives it back only once the run is completely over (for an
/// exec plugin, once its process is reaped), so a plugin never has more than `concurrency` runs alive, whatever
/// their clients do meanwhile.
public final class PluginRunSlots: Sendable {
    /// The plugin's name, for error messages.
    public let pluginName: String
    /// The most runs at once.
    public let concurrency: Int
    /// The most requests waiting for a run.
    public let queueLimit: Int

    private let state = Mutex(State())

    private struct State {
        var running = 0
        /// The requests waiting for a run, oldest first.
        var waiters: [Waiter] = []
        /// Outcomes decided for waiters that had not suspended yet, by ticket.
        var decided: [UInt64: Result<Void, any Error>] = [:]
        var nextTicket: UInt64 = 0
    }

    private struct Waiter {
        let ticket: UInt64
        /// Nil until the waiting task has suspended.
        var continuation: CheckedContinuation<Void, any Error>?
    }

    /// - Precondition: `concurrency` is at least 1 and `queueLimit` at least 0.
    public init(pluginName: String, concurrency: Int, queueLimit: Int) {
        precondition(concurrency >= 1, "A plugin needs at least one run at once")
        precondition(queueLimit >= 0, "A plugin's queue limit cannot be negative")
        self.pluginName = pluginName
        self.concurrency = concurrency
        self.queueLimit = queueLimit
    }

    /// The runs going on now.
    public var runningCount: Int { state.withLock { $0.running } }

    /// The requests waiting for a run now.
    public var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Takes a run, waiting in line for one until `deadline` when all are taken.
    ///
    /// - Throws: `SlowDown` when `queueLimit` requests already wait; `TransformTimeout` when `deadline` passes
    ///   before a run is free; `CancellationError` when the task is cancelled while it waits.
    public func acquire(deadline: ContinuousClock.Instant) async throws -> PluginRunSlot {
        let ticket = try state.withLock { state throws(RefractError) -> UInt64? in
            if state.running < concurrency {
                state.running += 1
                return nil
            }
            guard state.waiters.count < queueLimit else {
                throw RefractError.slowDown(
                    "The plugin \(pluginName) is busy and \(queueLimit) requests already wait for it."
                )
            }
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.waiters.append(Waiter(ticket: ticket))
            return ticket
        }
        if let ticket {
            try await waitForTurn(ticket, deadline: deadline)
        }
        return PluginRunSlot(slots: self)
    }

    /// Ends one run: the oldest waiter, if any, takes it over.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiters.isEmpty else {
                state.running -= 1
                return nil
            }
            let waiter = state.waiters.removeFirst()
            if waiter.continuation == nil {
                state.decided[waiter.ticket] = .success(())
            }
            return waiter.continuation
        }
        next?.resume()
    }

    private func waitForTurn(_ ticket: UInt64, deadline: ContinuousClock.Instant) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                } catch {
                    return
                }
                self.withdraw(
                    ticket,
                    error: RefractError.transformTimeout(
                        "The plugin \(self.pluginName) had no free run before the request's deadline."
                    )
                )
            }
            defer { group.cancelAll() }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    suspend(ticket, continuation: continuation)
                }
            } onCancel: {
                withdraw(ticket, error: CancellationError())
            }
        }
    }

    private func suspend(_ ticket: UInt64, continuation: CheckedContinuation<Void, any Error>) {
        let decided = state.withLock { state -> Result<Void, any Error>? in
            if let decided = state.decided.removeValue(forKey: ticket) {
                return decided
            }
            if let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) {
                state.waiters[index].continuation = continuation
            }
            return nil
        }
        if let decided {
            continuation.resume(with: decided)
        }
    }

    /// Takes a waiter out of the line with `error`, unless it already got its run.
    private func withdraw(_ ticket: UInt64, error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
            let waiter = state.waiters.remove(at: index)
            if waiter.continuation == nil {
                state.decided[ticket] = .failure(error)
            }
            return waiter.continuation
        }
        continuation?.resume(throwing: error)
    }
}
