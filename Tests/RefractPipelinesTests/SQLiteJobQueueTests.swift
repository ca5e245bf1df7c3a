import Foundation
import Logging
import Testing

@testable import RefractPipelines

@Suite struct SQLiteJobQueueTests {
    let folder = FileManager.default.temporaryDirectory.path + "/refract-sqlite-" + UUID().uuidString

    @Test func opensInWALModeSyncingEveryCommit() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let queue = try SQLiteJobQueue(path: folder + "/deep/er/queue.db", logger: Logger(label: "test"))
        let settings = try await queue.connectionSettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == "FULL")
        try await queue.close()
        // The journal mode is part of the file: bytes 18 and 19 of the header are 2 in WAL mode.
        let header = try #require(FileManager.default.contents(atPath: folder + "/deep/er/queue.db"))
        #expect(Array(header[18...19]) == [2, 2])
    }

    @Test func jobsOutliveTheQueueThatMadeThem() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/queue.db"
        let first = try SQLiteJobQueue(path: path, logger: Logger(label: "test"))
        let enqueued = try await first.enqueue(
            [JobSubmission(pipeline: "p", event: putEvent("a.txt", sequencer: "01"), retry: RetryPolicy())])
        try await first.close()

        let reopened = try SQLiteJobQueue(path: path, logger: Logger(label: "test"))
        #expect(try await reopened.job(id: enqueued[0].id) == enqueued[0])
        #expect(
            try await reopened.enqueue(
                [JobSubmission(pipeline: "p", event: putEvent("a.txt", sequencer: "01"), retry: RetryPolicy())]).isEmpty
        )
        let next = try await reopened.enqueue(
            [JobSubmission(pipeline: "p", event: putEvent("b.txt", sequencer: "01"), retry: RetryPolicy())])
        #expect(next[0].id > enqueued[0].id)
        try await reopened.close()
    }

    @Test func theFactoryOpensSQLiteURLs() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let queue = try await JobQueueFactory.open(
            url: "sqlite://\(folder)/state/refract.db", logger: Logger(label: "t"))
        #expect((queue as? SQLiteJobQueue)?.path == folder + "/state/refract.db")
        #expect(FileManager.default.fileExists(atPath: folder + "/state/refract.db"))
        try await queue.close()

        let cwd = FileManager.default.currentDirectoryPath
        #expect(SQLiteJobQueue.absolutePath("./state/refract.db") == cwd + "/state/refract.db")
        #expect(SQLiteJobQueue.absolutePath("state.db") == cwd + "/state.db")
        #expect(SQLiteJobQueue.absolutePath("/var/lib/refract/q.db") == "/var/lib/refract/q.db")

        let empty = await #expect(throws: JobQueueError.self) {
            try await JobQueueFactory.open(url: "sqlite://", logger: Logger(label: "t"))
        }
        #expect(empty?.message == "The queue URL \"sqlite://\" names no file.")
        let unknown = await #expect(throws: JobQueueError.self) {
            try await JobQueueFactory.open(url: "redis://localhost", logger: Logger(label: "t"))
        }
        #expect(unknown?.message == "Expected a sqlite:// or postgres:// queue URL, got \"redis://localhost\".")
    }

    @Test func aFileThatIsNotADatabaseIsRefusedClearly() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: folder + "/queue.db", contents: Data(repeating: 7, count: 4096)))
        let error = #expect(throws: JobQueueError.self) {
            try SQLiteJobQueue(path: folder + "/queue.db", logger: Logger(label: "test"))
        }
        #expect(error?.message.hasPrefix("Cannot open the job queue database \(folder)/queue.db:") == true)
    }
}
