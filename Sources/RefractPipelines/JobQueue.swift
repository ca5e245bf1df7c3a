public import Foundation

/// Where pipeline jobs wait, durably, until a worker runs them.
///
/// Every change is committed before the call returns: a job ``enqueue(_:)`` returned survives the process being
/// killed. Workers lease jobs for a time, renew the lease while they run a job, and complete or fail it; a job
/// whose lease expires (its worker died) is leased again by the next worker that asks. A lease counts as an
/// attempt. Operations that name a job and an owner do nothing (and say so) when the owner no longer holds the
/// job's lease.
///
/// For each pipeline and object, the queue remembers the last event it accepted (see ``JobSubmission``): an
/// event already seen, or older than one seen, is left out, so the same event twice does not redo work and an
/// older one does not undo it. Accepting an event supersedes the object's pending jobs in that pipeline.
public protocol JobQueue: Sendable {
    /// Makes the sequencers of the gateway's own events, and of backfills.
    var sequencers: SequencerClock { get }

    /// Adds a job for each submission the queue accepts; returns those jobs, committed.
    func enqueue(_ submissions: [JobSubmission]) async throws -> [PipelineJob]

    /// Leases up to `limit` jobs to `owner` for `leaseDuration`, oldest first: pending jobs that are due, and
    /// running jobs whose lease expired. Never two jobs of one object and pipeline at once.
    ///
    /// A running job whose lease expired on its last attempt is dead-lettered instead.
    func lease(owner: String, limit: Int, leaseDuration: Duration) async throws -> [PipelineJob]

    /// Extends the lease to `leaseDuration` from now; false when `owner` no longer holds it.
    func renewLease(jobID: Int64, owner: String, leaseDuration: Duration) async throws -> Bool

    /// Marks a leased job done; false when `owner` no longer holds its lease.
    func complete(jobID: Int64, owner: String, outcome: JobOutcome) async throws -> Bool

    /// Records a failed attempt: the job goes back to pending after its backoff, or is dead-lettered after its
    /// last attempt, or at once when `retryable` is false. `error` is kept as the job's last error.
    func fail(jobID: Int64, owner: String, error: String, retryable: Bool) async throws -> JobFailureDisposition

    /// Gives a leased job back, due at once, its attempt not counted: the worker stops without running it to the
    /// end. False when `owner` no longer holds its lease.
    func release(jobID: Int64, owner: String) async throws -> Bool

    /// Ends at once the leases `owner` holds, so that a restarted worker of the same name takes its jobs again
    /// without waiting for them to expire; returns how many there were.
    func expireLeases(owner: String) async throws -> Int

    /// The job with this id, if any.
    func job(id: Int64) async throws -> PipelineJob?

    /// Up to `limit` jobs in `states` (every state when empty), newest first.
    func list(states: Set<JobState>, limit: Int) async throws -> [PipelineJob]

    /// Puts a dead job back to pending, due at once, its attempts reset; throws when there is no such job or it
    /// is not dead.
    func retry(jobID: Int64) async throws -> PipelineJob

    /// Puts every dead job back to pending; returns how many.
    func retryAllFailed() async throws -> Int

    /// How many jobs are in each state.
    func counts() async throws -> JobCounts

    /// Removes the jobs that finished (done) before `date`; returns how many. Dead jobs stay.
    func removeFinishedJobs(before date: Date) async throws -> Int

    /// Closes the queue's connections; called once, last.
    func close() async throws
}

extension JobQueue {
    /// Enqueues `event` for each of `pipelines` (the ones a ``PipelineMatcher`` found).
    public func enqueue(_ event: ObjectEvent, for pipelines: [UploadPipeline]) async throws -> [PipelineJob] {
        guard !pipelines.isEmpty else { return [] }
        return try await enqueue(pipelines.map { JobSubmission(event: event, pipeline: $0) })
    }
}
