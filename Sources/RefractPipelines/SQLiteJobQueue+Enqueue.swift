import Foundation
import GRDB

extension SQLiteJobQueue {
    /// Adds the job for `submission` unless the object's record says it is a duplicate; the job added, if any.
    static func enqueue(_ submission: JobSubmission, at now: Date, in db: Database) throws -> PipelineJob? {
        let event = submission.event
        let identity: StatementArguments = [submission.pipeline, event.bucket, event.key]
        let record = try Row.fetchOne(
            db,
            sql: """
                SELECT sequencer, kind, etag FROM refract_job_objects
                WHERE pipeline = ? AND bucket = ? AND object_key = ?
                """,
            arguments: identity
        ).flatMap(objectRecord)
        let (admitted, newRecord) = ObjectRecord.admission(of: submission, after: record)
        if let newRecord {
            try db.execute(
                sql: """
                    INSERT INTO refract_job_objects (pipeline, bucket, object_key, sequencer, kind, etag)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (pipeline, bucket, object_key)
                    DO UPDATE SET sequencer = excluded.sequencer, kind = excluded.kind, etag = excluded.etag
                    """,
                arguments: identity + [newRecord.sequencer, newRecord.kind.rawValue, newRecord.etag]
            )
        }
        guard admitted else { return nil }
        let time = now.millisecondsSince1970
        try db.execute(
            sql: """
                UPDATE refract_jobs SET state = 'done', outcome = 'superseded', updated_at = ?
                WHERE pipeline = ? AND bucket = ? AND object_key = ? AND state = 'pending'
                """,
            arguments: [time] + identity
        )
        try db.execute(
            sql: """
                INSERT INTO refract_jobs (pipeline, bucket, object_key, kind, etag, size, sequencer, state,
                    max_attempts, backoff_ms, max_backoff_ms, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)
                """,
            arguments: identity + [
                event.kind.rawValue, event.etag, event.size, event.sequencer, submission.retry.maxAttempts,
                submission.retry.backoff.milliseconds, submission.retry.maxBackoff.milliseconds, time, time, time,
            ]
        )
        return try Row.fetchOne(db, sql: "SELECT * FROM refract_jobs WHERE id = ?", arguments: [db.lastInsertedRowID])
            .map(job)
    }

    /// The object record a `refract_job_objects` row holds.
    static func objectRecord(_ row: Row) -> ObjectRecord? {
        guard let kind = ObjectEvent.Kind(rawValue: row["kind"]) else { return nil }
        return ObjectRecord(sequencer: row["sequencer"], kind: kind, etag: row["etag"])
    }
}
