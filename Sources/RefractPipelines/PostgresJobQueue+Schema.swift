import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    /// The key of the advisory lock held while the tables are created: any fixed number no other application uses.
    private static let schemaLockKey: Int64 = 0x5265_6672_6163_7451  // "RefractQ"

    /// The statements that create the schema; each does nothing when its object exists.
    private static let schemaStatements: [PostgresQuery] = [
        """
        CREATE TABLE IF NOT EXISTS refract_jobs (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            pipeline TEXT NOT NULL,
            bucket TEXT NOT NULL,
            object_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            etag TEXT,
            size BIGINT,
            sequencer TEXT NOT NULL,
            state TEXT NOT NULL,
            outcome TEXT,
            attempts BIGINT NOT NULL DEFAULT 0,
            max_attempts BIGINT NOT NULL,
            backoff_ms BIGINT NOT NULL,
            max_backoff_ms BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            lease_owner TEXT,
            lease_expires_at BIGINT,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS refract_jobs_due ON refract_jobs (state, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS refract_jobs_object ON refract_jobs (pipeline, bucket, object_key, state)",
        "CREATE INDEX IF NOT EXISTS refract_jobs_owner ON refract_jobs (lease_owner)",
        """
        CREATE TABLE IF NOT EXISTS refract_job_objects (
            pipeline TEXT NOT NULL,
            bucket TEXT NOT NULL,
            object_key TEXT NOT NULL,
            sequencer TEXT NOT NULL,
            kind TEXT NOT NULL,
            etag TEXT,
            PRIMARY KEY (pipeline, bucket, object_key)
        )
        """,
    ]

    /// Creates the tables and indexes that do not exist yet.
    ///
    /// `CREATE ... IF NOT EXISTS` alone is not safe when two gateways open at once (both may pass the check and one
    /// then fails on the catalog's unique index): the advisory lock makes them take turns.
    func createSchema() async throws {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.schemaLockKey))", logger: self.logger)
            for statement in Self.schemaStatements {
                try await connection.query(statement, logger: self.logger)
            }
        }
    }
}
