import Foundation

/// What both queues decide the same way, whatever database keeps the jobs.
enum JobQueueRules {
    /// The last error of a job dead-lettered because its lease expired on its last attempt.
    static let expiredOnLastAttempt =
        "The lease expired during the last attempt: the worker running the job stopped before finishing it."

    /// The jobs to lease among `candidates` (oldest first): the first of each object and pipeline, so that two
    /// jobs of one object never run at once.
    static func oneJobPerObject(_ candidates: [PipelineJob]) -> [PipelineJob] {
        var seen: Set<ObjectIdentity> = []
        return candidates.filter { seen.insert(ObjectIdentity($0)).inserted }
    }

    /// What becomes of `job` (leased, its attempt counted) when the attempt fails at `now`.
    static func disposition(of job: PipelineJob, retryable: Bool, now: Date) -> JobFailureDisposition {
        guard retryable, job.attempts < job.retry.maxAttempts else { return .dead }
        let due = now.adding(job.retry.delay(afterAttempt: max(1, job.attempts)))
        return .retrying(at: Date(millisecondsSince1970: due.millisecondsSince1970))
    }

    /// A pipeline and an object of its bucket.
    struct ObjectIdentity: Hashable {
        var pipeline: String
        var bucket: String
        var key: String

        init(_ job: PipelineJob) {
            pipeline = job.pipeline
            bucket = job.event.bucket
            key = job.event.key
        }
    }
}
