public import Foundation
public import Logging
public import PostgresNIO

/// The job queue several gateways share: tables in a PostgreSQL database (`queue.url: postgres://...`).
///
/// Workers lease jobs with `SELECT ... FOR UPDATE SKIP LOCKED`, so gateways leasing at the same time take different
/// jobs without waiting for each other. The tables are created when the queue opens, under an advisory lock, so
/// gateways starting together do not race to create them. Times are the gateways' clocks: keep them in sync
/// (NTP); a skew much shorter than the lease duration does no harm.
public final class PostgresJobQueue: JobQueue {
    public let sequencers: SequencerClock
    let client: PostgresClient
    let now: @Sendable () -> Date
    let logger: Logger
    private let clientTask: Task<Void, Never>

    /// Connects, and creates the tables unless they exist.
    ///
    /// - Parameter now: the clock due times and leases are measured with.
    public init(
        configuration: PostgresClient.Configuration,
        sequencers: SequencerClock = SequencerClock(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.sequencers = sequencers
        self.logger = logger
        self.now = now
        // The client serves queries only while `run()` runs; cancelling it closes the connections.
        clientTask = Task { await client.run() }
        do {
            try await createSchema()
        } catch {
            clientTask.cancel()
            throw JobQueueError("Cannot open the job queue in PostgreSQL: \(Self.describe(error))")
        }
    }

    /// Connects to the database `location` names, and creates the tables unless they exist.
    public convenience init(
        location: PostgresLocation,
        sequencers: SequencerClock = SequencerClock(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        try await self.init(
            configuration: location.clientConfiguration, sequencers: sequencers, logger: logger, now: now)
    }

    public func enqueue(_ submissions: [JobSubmission]) async throws -> [PipelineJob] {
        guard !submissions.isEmpty else { return [] }
        let now = now()
        return try await transaction { connection in
            var jobs: [PipelineJob] = []
            for submission in submissions {
                if let job = try await self.enqueue(submission, at: now, on: connection) { jobs.append(job) }
            }
            return jobs
        }
    }

    public func lease(owner: String, limit: Int, leaseDuration: Duration) async throws -> [PipelineJob] {
        guard limit > 0 else { return [] }
        let now = now().millisecondsSince1970
        let expiry = now + leaseDuration.milliseconds
        return try await transaction { connection in
            try await connection.query(
                """
                UPDATE refract_jobs SET state = 'dead', lease_owner = NULL, lease_expires_at = NULL,
                    last_error = \(JobQueueRules.expiredOnLastAttempt), updated_at = \(now)
                WHERE id IN (
                    SELECT id FROM refract_jobs
                    WHERE state = 'running' AND lease_expires_at <= \(now) AND attempts >= max_attempts
                    FOR UPDATE SKIP LOCKED)
                """,
                logger: self.logger
            )
            let candidates = try await Self.jobs(
                connection.query(
                    """
                    SELECT * FROM refract_jobs AS job
                    WHERE ((job.state = 'pending' AND job.next_attempt_at <= \(now))
                        OR (job.state = 'running' AND job.lease_expires_at <= \(now)))
                      AND NOT EXISTS (
                        SELECT 1 FROM refract_jobs AS other
                        WHERE other.pipeline = job.pipeline AND other.bucket = job.bucket
                          AND other.object_key = job.object_key AND other.state = 'running'
                          AND other.lease_expires_at > \(now))
                    ORDER BY job.id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                    """,
                    logger: self.logger
                )
            )
            let ids = JobQueueRules.oneJobPerObject(candidates).map(\.id)
            guard !ids.isEmpty else { return [] }
            return try await Self.jobs(
                connection.query(
                    """
                    UPDATE refract_jobs SET state = 'running', lease_owner = \(owner), lease_expires_at = \(expiry),
                        attempts = attempts + 1, updated_at = \(now)
                    WHERE id = ANY(\(ids))
                    RETURNING *
                    """,
                    logger: self.logger
                )
            ).sorted { $0.id < $1.id }
        }
    }

    public func renewLease(jobID: Int64, owner: String, leaseDuration: Duration) async throws -> Bool {
        let expiry = now().adding(leaseDuration).millisecondsSince1970
        return try await updatesOne(
            """
            UPDATE refract_jobs SET lease_expires_at = \(expiry)
            WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(owner)
            RETURNING id
            """
        )
    }

    public func complete(jobID: Int64, owner: String, outcome: JobOutcome) async throws -> Bool {
        let now = now().millisecondsSince1970
        return try await updatesOne(
            """
            UPDATE refract_jobs SET state = 'done', outcome = \(outcome.rawValue), lease_owner = NULL,
                lease_expires_at = NULL, updated_at = \(now)
            WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(owner)
            RETURNING id
            """
        )
    }

    public func fail(jobID: Int64, owner: String, error: String, retryable: Bool) async throws -> JobFailureDisposition
    {
        let now = now()
        return try await transaction { connection in
            let rows = try await Self.jobs(
                connection.query(
                    """
                    SELECT * FROM refract_jobs
                    WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(owner)
                    FOR UPDATE
                    """,
                    logger: self.logger
                )
            )
            guard let job = rows.first else { return .leaseLost }
            let disposition = JobQueueRules.disposition(of: job, retryable: retryable, now: now)
            let (state, due): (JobState, Date) =
                switch disposition {
                case .retrying(let date): (.pending, date)
                default: (.dead, now)
                }
            try await connection.query(
                """
                UPDATE refract_jobs SET state = \(state.rawValue), next_attempt_at = \(due.millisecondsSince1970),
                    last_error = \(error), lease_owner = NULL, lease_expires_at = NULL,
                    updated_at = \(now.millisecondsSince1970)
                WHERE id = \(jobID)
                """,
                logger: self.logger
            )
            return disposition
        }
    }

    public func release(jobID: Int64, owner: String) async throws -> Bool {
        let now = now().millisecondsSince1970
        return try await updatesOne(
            """
            UPDATE refract_jobs SET state = 'pending', attempts = GREATEST(attempts - 1, 0),
                next_attempt_at = \(now), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
            WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(owner)
            RETURNING id
            """
        )
    }

    public func expireLeases(owner: String) async throws -> Int {
        let now = now().millisecondsSince1970
        return try await rowCount(
            """
            UPDATE refract_jobs SET lease_expires_at = \(now)
            WHERE state = 'running' AND lease_owner = \(owner)
            RETURNING id
            """
        )
    }

    public func job(id: Int64) async throws -> PipelineJob? {
        try await describingErrors {
            try await Self.jobs(client.query("SELECT * FROM refract_jobs WHERE id = \(id)", logger: logger)).first
        }
    }

    public func list(states: Set<JobState>, limit: Int) async throws -> [PipelineJob] {
        let stateNames = (states.isEmpty ? Set(JobState.allCases) : states).map(\.rawValue)
        return try await describingErrors {
            try await Self.jobs(
                client.query(
                    """
                    SELECT * FROM refract_jobs WHERE state = ANY(\(stateNames))
                    ORDER BY id DESC LIMIT \(max(0, limit))
                    """,
                    logger: logger
                )
            )
        }
    }

    public func retry(jobID: Int64) async throws -> PipelineJob {
        let now = now().millisecondsSince1970
        return try await transaction { connection in
            let rows = try await Self.jobs(
                connection.query("SELECT * FROM refract_jobs WHERE id = \(jobID) FOR UPDATE", logger: self.logger)
            )
            guard let job = rows.first else { throw JobQueueError.noSuchJob(jobID) }
            guard job.state == .dead else { throw JobQueueError.notDead(jobID, state: job.state) }
            let updated = try await Self.jobs(
                connection.query(
                    """
                    UPDATE refract_jobs SET state = 'pending', attempts = 0, next_attempt_at = \(now),
                        updated_at = \(now)
                    WHERE id = \(jobID)
                    RETURNING *
                    """,
                    logger: self.logger
                )
            )
            return updated.first ?? job
        }
    }

    public func retryAllFailed() async throws -> Int {
        let now = now().millisecondsSince1970
        return try await rowCount(
            """
            UPDATE refract_jobs SET state = 'pending', attempts = 0, next_attempt_at = \(now), updated_at = \(now)
            WHERE state = 'dead'
            RETURNING id
            """
        )
    }

    public func counts() async throws -> JobCounts {
        try await describingErrors {
            var counts = JobCounts()
            let rows = try await client.query("SELECT state, COUNT(*) FROM refract_jobs GROUP BY state", logger: logger)
            for try await (state, count) in rows.decode((String, Int).self) {
                if let state = JobState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    public func removeFinishedJobs(before date: Date) async throws -> Int {
        try await rowCount(
            """
            DELETE FROM refract_jobs WHERE state = 'done' AND updated_at < \(date.millisecondsSince1970)
            RETURNING id
            """
        )
    }

    public func close() async throws {
        clientTask.cancel()
        await clientTask.value
    }

    /// How many rows `query` returns: the rows an `UPDATE ... RETURNING` changed.
    private func rowCount(_ query: PostgresQuery) async throws -> Int {
        try await describingErrors {
            var count = 0
            for try await _ in try await client.query(query, logger: logger) { count += 1 }
            return count
        }
    }

    /// Whether `query` (an `UPDATE ... RETURNING` of one job) changed a row.
    private func updatesOne(_ query: PostgresQuery) async throws -> Bool {
        try await rowCount(query) == 1
    }
}
