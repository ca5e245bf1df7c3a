import Foundation
import GRDB

extension SQLiteJobQueue {
    /// The job a `refract_jobs` row holds.
    static func job(_ row: Row) -> PipelineJob {
        let event = ObjectEvent(
            bucket: row["bucket"],
            key: row["object_key"],
            kind: ObjectEvent.Kind(rawValue: row["kind"]) ?? .put,
            etag: row["etag"],
            size: row["size"],
            sequencer: row["sequencer"]
        )
        return PipelineJob(
            id: row["id"],
            pipeline: row["pipeline"],
            event: event,
            state: JobState(rawValue: row["state"]) ?? .dead,
            outcome: (row["outcome"] as String?).flatMap(JobOutcome.init(rawValue:)),
            attempts: row["attempts"],
            retry: RetryPolicy(
                maxAttempts: row["max_attempts"],
                backoff: .milliseconds(row["backoff_ms"] as Int64),
                maxBackoff: .milliseconds(row["max_backoff_ms"] as Int64)
            ),
            nextAttemptAt: Date(millisecondsSince1970: row["next_attempt_at"]),
            leaseOwner: row["lease_owner"],
            leaseExpiresAt: (row["lease_expires_at"] as Int64?).map(Date.init(millisecondsSince1970:)),
            lastError: row["last_error"],
            createdAt: Date(millisecondsSince1970: row["created_at"]),
            updatedAt: Date(millisecondsSince1970: row["updated_at"])
        )
    }
}
