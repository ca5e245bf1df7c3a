import Foundation
import Logging
import RefractPipelines
import Synchronization
import Testing

/// The queue implementations every queue test runs against.
enum QueueKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A clock the tests move by hand, for due times and leases.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        current.withLock { $0 += TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18 }
    }
}

/// A fresh, empty queue database: a SQLite file in a temporary folder, or a new database of the suite's
/// PostgreSQL server. Queues opened on it share it, as gateways do.
struct QueueDatabase: Sendable {
    let kind: QueueKind
    /// The SQLite file, or the PostgreSQL URL.
    let location: String
    private let temporaryFolder: String?

    static func make(_ kind: QueueKind) async throws -> QueueDatabase {
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.path + "/refract-queue-" + UUID().uuidString
            return QueueDatabase(kind: kind, location: folder + "/state/queue.db", temporaryFolder: folder)
        case .postgres:
            let server = try #require(PostgresServer.current, "the suite needs the .postgresServer trait")
            let database = try await server.createDatabase()
            return QueueDatabase(kind: kind, location: server.url(database: database), temporaryFolder: nil)
        }
    }

    /// Opens a queue on the database, with `clock` for times when given.
    func open(clock: ManualClock? = nil, sequencers: SequencerClock = SequencerClock()) async throws -> any JobQueue {
        let logger = Logger(label: "test.queue")
        let now: @Sendable () -> Date
        if let clock { now = { clock.now } } else { now = { Date() } }
        switch kind {
        case .sqlite:
            return try SQLiteJobQueue(path: location, sequencers: sequencers, logger: logger, now: now)
        case .postgres:
            return try await PostgresJobQueue(
                location: try PostgresLocation(url: location),
                sequencers: sequencers,
                logger: logger,
                now: now
            )
        }
    }

    func remove() {
        if let temporaryFolder { try? FileManager.default.removeItem(atPath: temporaryFolder) }
    }
}

/// Runs `body` with a queue on a fresh database, then closes the queue and removes the database's files.
func withQueue<Result>(
    _ kind: QueueKind,
    clock: ManualClock? = nil,
    _ body: (any JobQueue, QueueDatabase) async throws -> Result
) async throws -> Result {
    let database = try await QueueDatabase.make(kind)
    defer { database.remove() }
    let queue = try await database.open(clock: clock)
    do {
        let result = try await body(queue, database)
        try await queue.close()
        return result
    } catch {
        try? await queue.close()
        throw error
    }
}

/// An event of `key` in `bucket`.
func putEvent(_ key: String, etag: String = "etag-1", sequencer: String, bucket: String = "photos") -> ObjectEvent {
    ObjectEvent(bucket: bucket, key: key, kind: .put, etag: etag, size: 10, sequencer: sequencer)
}

func deleteEvent(_ key: String, sequencer: String, bucket: String = "photos") -> ObjectEvent {
    ObjectEvent(bucket: bucket, key: key, kind: .delete, sequencer: sequencer)
}
