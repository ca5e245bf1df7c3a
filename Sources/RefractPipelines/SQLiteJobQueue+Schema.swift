import Foundation
import GRDB

extension SQLiteJobQueue {
    /// The schema, one migration per change; GRDB records which ran.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE refract_jobs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        pipeline TEXT NOT NULL,
                        bucket TEXT NOT NULL,
                        object_key TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        etag TEXT,
                        size INTEGER,
                        sequencer TEXT NOT NULL,
                        state TEXT NOT NULL,
                        outcome TEXT,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL,
                        backoff_ms INTEGER NOT NULL,
                        max_backoff_ms INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        lease_owner TEXT,
                        lease_expires_at INTEGER,
                        last_error TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX refract_jobs_due ON refract_jobs (state, next_attempt_at);
                    CREATE INDEX refract_jobs_object ON refract_jobs (pipeline, bucket, object_key, state);
                    CREATE INDEX refract_jobs_owner ON refract_jobs (lease_owner);
                    CREATE TABLE refract_job_objects (
                        pipeline TEXT NOT NULL,
                        bucket TEXT NOT NULL,
                        object_key TEXT NOT NULL,
                        sequencer TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        etag TEXT,
                        PRIMARY KEY (pipeline, bucket, object_key)
                    );
                    """
            )
        }
        return migrator
    }
}
