public import Foundation
import GRDB
public import Logging

/// The job queue of a single gateway: a SQLite database file (`queue.url: sqlite://PATH`).
///
/// The database runs in WAL mode with `synchronous = FULL`, so a committed job is on disk before the call that
/// made it returns, and survives the process or the machine stopping. The file's folder is created, and the schema
/// created or migrated, when the queue opens. Several processes may open one file (SQLite locks it), but a queue
/// shared by several gateways belongs in PostgreSQL.
public final class SQLiteJobQueue: JobQueue {
    public let sequencers: SequencerClock
    /// The database file's absolute path.
    public let path: String
    let pool: DatabasePool
    let now: @Sendable () -> Date
    private let logger: Logger

    /// Opens (creating it if needed) the queue in the database file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file; a relative path is taken from the current directory.
    ///   - now: the clock due times and leases are measured with.
    public init(
        path: String,
        sequencers: SequencerClock = SequencerClock(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let absolutePath = Self.absolutePath(path)
        let folder = URL(fileURLWithPath: absolutePath).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.label = "refract.queue"
            // Another process writing the same file holds its lock only for the length of a transaction.
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: absolutePath, configuration: configuration)
            // After the pool's own setup, which chooses NORMAL for WAL: FULL syncs the log on every commit, so
            // that a job acknowledged to a client is on disk even if the machine stops.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
        } catch {
            throw JobQueueError("Cannot open the job queue database \(absolutePath): \(error)")
        }
        self.path = absolutePath
        self.sequencers = sequencers
        self.logger = logger
        self.now = now
        if let settings = try? pool.writeWithoutTransaction(Self.connectionSettings) {
            logger.debug(
                "Opened the job queue",
                metadata: [
                    "path": "\(absolutePath)", "journal_mode": "\(settings.journalMode)",
                    "synchronous": "\(settings.synchronous)",
                ])
        }
    }

    /// `path` made absolute: a relative path is taken from the current directory.
    static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The journal mode and the `synchronous` setting of the connection that writes.
    func connectionSettings() async throws -> (journalMode: String, synchronous: String) {
        try await pool.writeWithoutTransaction(Self.connectionSettings)
    }

    private static func connectionSettings(_ db: Database) throws -> (journalMode: String, synchronous: String) {
        let journalMode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        let names = [0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"]
        return (journalMode, names[synchronous] ?? "\(synchronous)")
    }

    public func enqueue(_ submissions: [JobSubmission]) async throws -> [PipelineJob] {
        guard !submissions.isEmpty else { return [] }
        let now = now()
        return try await pool.write { db in
            var jobs: [PipelineJob] = []
            for submission in submissions {
                if let job = try Self.enqueue(submission, at: now, in: db) { jobs.append(job) }
            }
            return jobs
        }
    }

    public func lease(owner: String, limit: Int, leaseDuration: Duration) async throws -> [PipelineJob] {
        guard limit > 0 else { return [] }
        let now = now()
        let expiry = now.adding(leaseDuration)
        return try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE refract_jobs SET state = 'dead', lease_owner = NULL, lease_expires_at = NULL,
                        last_error = ?, updated_at = ?
                    WHERE state = 'running' AND lease_expires_at <= ? AND attempts >= max_attempts
                    """,
                arguments: [JobQueueRules.expiredOnLastAttempt, now.millisecondsSince1970, now.millisecondsSince1970]
            )
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM refract_jobs AS job
                    WHERE ((job.state = 'pending' AND job.next_attempt_at <= :now)
                        OR (job.state = 'running' AND job.lease_expires_at <= :now))
                      AND NOT EXISTS (
                        SELECT 1 FROM refract_jobs AS other
                        WHERE other.pipeline = job.pipeline AND other.bucket = job.bucket
                          AND other.object_key = job.object_key AND other.state = 'running'
                          AND other.lease_expires_at > :now)
                    ORDER BY job.id LIMIT :limit
                    """,
                arguments: ["now": now.millisecondsSince1970, "limit": limit]
            ).map(Self.job)
            var leased: [PipelineJob] = []
            for var job in JobQueueRules.oneJobPerObject(candidates) {
                try db.execute(
                    sql: """
                        UPDATE refract_jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?,
                            attempts = attempts + 1, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [owner, expiry.millisecondsSince1970, now.millisecondsSince1970, job.id]
                )
                job.state = .running
                job.leaseOwner = owner
                job.leaseExpiresAt = Date(millisecondsSince1970: expiry.millisecondsSince1970)
                job.attempts += 1
                job.updatedAt = Date(millisecondsSince1970: now.millisecondsSince1970)
                leased.append(job)
            }
            return leased
        }
    }

    public func renewLease(jobID: Int64, owner: String, leaseDuration: Duration) async throws -> Bool {
        let expiry = now().adding(leaseDuration).millisecondsSince1970
        return try await updateLeased(jobID: jobID, owner: owner, set: "lease_expires_at = ?", [expiry])
    }

    public func complete(jobID: Int64, owner: String, outcome: JobOutcome) async throws -> Bool {
        try await updateLeased(
            jobID: jobID,
            owner: owner,
            set: "state = 'done', outcome = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?",
            [outcome.rawValue, now().millisecondsSince1970]
        )
    }

    public func fail(jobID: Int64, owner: String, error: String, retryable: Bool) async throws -> JobFailureDisposition
    {
        let now = now()
        return try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM refract_jobs WHERE id = ? AND state = 'running' AND lease_owner = ?",
                    arguments: [jobID, owner])
            else { return .leaseLost }
            let disposition = JobQueueRules.disposition(of: Self.job(row), retryable: retryable, now: now)
            let (state, due): (JobState, Date) =
                switch disposition {
                case .retrying(let date): (.pending, date)
                default: (.dead, now)
                }
            try db.execute(
                sql: """
                    UPDATE refract_jobs SET state = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL,
                        lease_expires_at = NULL, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    state.rawValue, due.millisecondsSince1970, error, now.millisecondsSince1970, jobID,
                ]
            )
            return disposition
        }
    }

    public func release(jobID: Int64, owner: String) async throws -> Bool {
        let now = now().millisecondsSince1970
        return try await updateLeased(
            jobID: jobID,
            owner: owner,
            set: """
                state = 'pending', attempts = MAX(attempts - 1, 0), next_attempt_at = ?, lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = ?
                """,
            [now, now]
        )
    }

    public func expireLeases(owner: String) async throws -> Int {
        let now = now().millisecondsSince1970
        return try await pool.write { db in
            try db.execute(
                sql: "UPDATE refract_jobs SET lease_expires_at = ? WHERE state = 'running' AND lease_owner = ?",
                arguments: [now, owner]
            )
            return db.changesCount
        }
    }

    public func job(id: Int64) async throws -> PipelineJob? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM refract_jobs WHERE id = ?", arguments: [id]).map(Self.job)
        }
    }

    public func list(states: Set<JobState>, limit: Int) async throws -> [PipelineJob] {
        let stateNames = (states.isEmpty ? Set(JobState.allCases) : states).map(\.rawValue)
        let placeholders = Array(repeating: "?", count: stateNames.count).joined(separator: ", ")
        let arguments = StatementArguments(stateNames) + [max(0, limit)]
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM refract_jobs WHERE state IN (\(placeholders)) ORDER BY id DESC LIMIT ?",
                arguments: arguments
            ).map(Self.job)
        }
    }

    public func retry(jobID: Int64) async throws -> PipelineJob {
        let now = now().millisecondsSince1970
        return try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM refract_jobs WHERE id = ?", arguments: [jobID])
            else { throw JobQueueError.noSuchJob(jobID) }
            let job = Self.job(row)
            guard job.state == .dead else { throw JobQueueError.notDead(jobID, state: job.state) }
            try db.execute(
                sql: """
                    UPDATE refract_jobs SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [now, now, jobID]
            )
            return try Row.fetchOne(db, sql: "SELECT * FROM refract_jobs WHERE id = ?", arguments: [jobID])
                .map(Self.job) ?? job
        }
    }

    public func retryAllFailed() async throws -> Int {
        let now = now().millisecondsSince1970
        return try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE refract_jobs SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
                    WHERE state = 'dead'
                    """,
                arguments: [now, now]
            )
            return db.changesCount
        }
    }

    public func counts() async throws -> JobCounts {
        try await pool.read { db in
            var counts = JobCounts()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS count FROM refract_jobs GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["count"] }
            }
            return counts
        }
    }

    public func removeFinishedJobs(before date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM refract_jobs WHERE state = 'done' AND updated_at < ?",
                arguments: [date.millisecondsSince1970]
            )
            return db.changesCount
        }
    }

    public func close() async throws {
        try pool.close()
    }

    /// Runs an update of a job `owner` holds the lease of; whether there was one.
    private func updateLeased(
        jobID: Int64,
        owner: String,
        set assignments: String,
        _ values: StatementArguments
    ) async throws -> Bool {
        let arguments = values + [jobID, owner]
        return try await pool.write { db in
            try db.execute(
                sql: "UPDATE refract_jobs SET \(assignments) WHERE id = ? AND state = 'running' AND lease_owner = ?",
                arguments: arguments
            )
            return db.changesCount == 1
        }
    }
}
