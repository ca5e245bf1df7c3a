import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    /// Adds the job for `submission` unless the object's record says it is a duplicate; the job added, if any.
    ///
    /// The object's record row is locked first (inserted when new), so that two gateways enqueuing events of one
    /// object take turns deciding.
    func enqueue(_ submission: JobSubmission, at now: Date, on connection: PostgresConnection) async throws
        -> PipelineJob?
    {
        let event = submission.event
        let (pipeline, bucket, key) = (submission.pipeline, event.bucket, event.key)
        let inserted = try await connection.query(
            """
            INSERT INTO refract_job_objects (pipeline, bucket, object_key, sequencer, kind, etag)
            VALUES (\(pipeline), \(bucket), \(key), \(event.sequencer), \(event.kind.rawValue), \(event.etag))
            ON CONFLICT (pipeline, bucket, object_key) DO NOTHING
            RETURNING sequencer
            """,
            logger: logger
        )
        var isNewObject = false
        for try await _ in inserted { isNewObject = true }
        if !isNewObject {
            var record: ObjectRecord?
            let rows = try await connection.query(
                """
                SELECT sequencer, kind, etag FROM refract_job_objects
                WHERE pipeline = \(pipeline) AND bucket = \(bucket) AND object_key = \(key)
                FOR UPDATE
                """,
                logger: logger
            )
            for try await (sequencer, kind, etag) in rows.decode((String, String, String?).self) {
                record = ObjectEvent.Kind(rawValue: kind).map {
                    ObjectRecord(sequencer: sequencer, kind: $0, etag: etag)
                }
            }
            let (admitted, newRecord) = ObjectRecord.admission(of: submission, after: record)
            if let newRecord {
                try await connection.query(
                    """
                    UPDATE refract_job_objects
                    SET sequencer = \(newRecord.sequencer), kind = \(newRecord.kind.rawValue), etag = \(newRecord.etag)
                    WHERE pipeline = \(pipeline) AND bucket = \(bucket) AND object_key = \(key)
                    """,
                    logger: logger
                )
            }
            guard admitted else { return nil }
        }
        let time = now.millisecondsSince1970
        try await connection.query(
            """
            UPDATE refract_jobs SET state = 'done', outcome = 'superseded', updated_at = \(time)
            WHERE pipeline = \(pipeline) AND bucket = \(bucket) AND object_key = \(key) AND state = 'pending'
            """,
            logger: logger
        )
        let retry = submission.retry
        return try await Self.jobs(
            connection.query(
                """
                INSERT INTO refract_jobs (pipeline, bucket, object_key, kind, etag, size, sequencer, state,
                    max_attempts, backoff_ms, max_backoff_ms, next_attempt_at, created_at, updated_at)
                VALUES (\(pipeline), \(bucket), \(key), \(event.kind.rawValue), \(event.etag), \(event.size),
                    \(event.sequencer), 'pending', \(retry.maxAttempts), \(retry.backoff.milliseconds),
                    \(retry.maxBackoff.milliseconds), \(time), \(time), \(time))
                RETURNING *
                """,
                logger: logger
            )
        ).first
    }
}
