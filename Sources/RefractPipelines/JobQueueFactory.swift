public import Logging

/// Opens the queue `queue.url` names.
public enum JobQueueFactory {
    /// Opens the queue at `url`: `sqlite://PATH` (a file, relative to the working directory unless absolute:
    /// `sqlite://./state/refract.db`, `sqlite:///var/lib/refract/queue.db`), or `postgres://user:pass@host:port/db`
    /// (`postgresql://` too, see ``PostgresLocation``).
    public static func open(
        url: String,
        sequencers: SequencerClock = SequencerClock(),
        logger: Logger
    ) async throws -> any JobQueue {
        let lowercased = url.lowercased()
        if lowercased.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw JobQueueError("The queue URL \"\(url)\" names no file.") }
            return try SQLiteJobQueue(path: path, sequencers: sequencers, logger: logger)
        }
        if lowercased.hasPrefix("postgres://") || lowercased.hasPrefix("postgresql://") {
            return try await PostgresJobQueue(
                location: try PostgresLocation(url: url), sequencers: sequencers, logger: logger)
        }
        throw JobQueueError(
            "Expected a sqlite:// or postgres:// queue URL, got \"\(PostgresLocation.redacted(url))\".")
    }
}
