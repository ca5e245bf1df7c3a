import Foundation
import PostgresNIO

extension PostgresJobQueue {
    /// The jobs `rows` of `refract_jobs` hold.
    static func jobs(_ rows: PostgresRowSequence) async throws -> [PipelineJob] {
        var jobs: [PipelineJob] = []
        for try await row in rows {
            jobs.append(try job(row.makeRandomAccess()))
        }
        return jobs
    }

    private static func job(_ row: PostgresRandomAccessRow) throws -> PipelineJob {
        let event = ObjectEvent(
            bucket: try row["bucket"].decode(String.self),
            key: try row["object_key"].decode(String.self),
            kind: ObjectEvent.Kind(rawValue: try row["kind"].decode(String.self)) ?? .put,
            etag: try row["etag"].decode(String?.self),
            size: try row["size"].decode(Int?.self),
            sequencer: try row["sequencer"].decode(String.self)
        )
        return PipelineJob(
            id: try row["id"].decode(Int64.self),
            pipeline: try row["pipeline"].decode(String.self),
            event: event,
            state: JobState(rawValue: try row["state"].decode(String.self)) ?? .dead,
            outcome: try row["outcome"].decode(String?.self).flatMap(JobOutcome.init(rawValue:)),
            attempts: try row["attempts"].decode(Int.self),
            retry: RetryPolicy(
                maxAttempts: try row["max_attempts"].decode(Int.self),
                backoff: .milliseconds(try row["backoff_ms"].decode(Int64.self)),
                maxBackoff: .milliseconds(try row["max_backoff_ms"].decode(Int64.self))
            ),
            nextAttemptAt: Date(millisecondsSince1970: try row["next_attempt_at"].decode(Int64.self)),
            leaseOwner: try row["lease_owner"].decode(String?.self),
            leaseExpiresAt: try row["lease_expires_at"].decode(Int64?.self).map(Date.init(millisecondsSince1970:)),
            lastError: try row["last_error"].decode(String?.self),
            createdAt: Date(millisecondsSince1970: try row["created_at"].decode(Int64.self)),
            updatedAt: Date(millisecondsSince1970: try row["updated_at"].decode(Int64.self))
        )
    }
}
