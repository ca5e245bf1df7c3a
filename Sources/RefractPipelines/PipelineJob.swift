public import Foundation

/// One event to be run through one pipeline, as the queue keeps it.
public struct PipelineJob: Sendable, Hashable, Identifiable {
    /// Increases with every job enqueued.
    public var id: Int64
    /// The pipeline's name.
    public var pipeline: String
    /// The event the job runs: which object, put or delete.
    public var event: ObjectEvent
    public var state: JobState
    /// How the job finished, once ``state`` is `done`.
    public var outcome: JobOutcome?
    /// Attempts started, the one running included.
    public var attempts: Int
    /// The pipeline's retry policy when the job was enqueued.
    public var retry: RetryPolicy
    /// When a pending job may run next.
    public var nextAttemptAt: Date
    /// The worker holding a running job's lease.
    public var leaseOwner: String?
    /// When a running job's lease ends: past it, another worker may take the job.
    public var leaseExpiresAt: Date?
    /// What the last failed attempt reported.
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64,
        pipeline: String,
        event: ObjectEvent,
        state: JobState,
        outcome: JobOutcome?,
        attempts: Int,
        retry: RetryPolicy,
        nextAttemptAt: Date,
        leaseOwner: String?,
        leaseExpiresAt: Date?,
        lastError: String?,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.pipeline = pipeline
        self.event = event
        self.state = state
        self.outcome = outcome
        self.attempts = attempts
        self.retry = retry
        self.nextAttemptAt = nextAttemptAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
