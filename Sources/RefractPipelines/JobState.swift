/// Where a job is in its life.
public enum JobState: String, Sendable, Hashable, CaseIterable {
    /// Waiting to be run: new, or failed and waiting for its next attempt.
    case pending
    /// Leased by a worker, until the lease expires.
    case running
    /// Finished; its ``JobOutcome`` says how.
    case done
    /// Failed its last attempt (or failed in a way no retry mends): dead-lettered, kept until retried.
    case dead
}
