import Foundation
import Logging
import NIOCore
import RefractCore
import RefractPipelines
import RefractStorage
import Testing

/// A filesystem store in a temporary folder, whose store bucket `photos-data` is the gateway bucket `photos`, and a
/// queue on a fresh database: what a gateway's workers need.
final class WorkerFixture: Sendable {
    static let bucket = "photos"
    static let storeBucket = "photos-data"

    let root: String
    let store: FilesystemStore
    let database: QueueDatabase
    let queue: any JobQueue

    private init(root: String, store: FilesystemStore, database: QueueDatabase, queue: any JobQueue) {
        self.root = root
        self.store = store
        self.database = database
        self.queue = queue
    }

    static func make(_ kind: QueueKind) async throws -> WorkerFixture {
        let root = FileManager.default.temporaryDirectory.path + "/refract-worker-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/" + storeBucket, withIntermediateDirectories: true)
        let database = try await QueueDatabase.make(kind)
        return WorkerFixture(
            root: root,
            store: FilesystemStore(root: root, logger: Logger(label: "test.store")),
            database: database,
            queue: try await database.open()
        )
    }

    /// Where the gateway's buckets are: only `photos` is configured.
    var buckets: @Sendable (String) -> StoreBucket? {
        { [store] name in name == Self.bucket ? StoreBucket(store: store, bucket: Self.storeBucket) : nil }
    }

    /// A worker on `queue` (this fixture's unless given), polling often.
    func worker(
        _ pipelines: [UploadPipeline],
        owner: String = "test-worker",
        queue: (any JobQueue)? = nil,
        concurrency: Int = 2,
        leaseDuration: Duration = .seconds(30)
    ) -> PipelineWorker {
        PipelineWorker(
            queue: queue ?? self.queue,
            pipelines: pipelines,
            buckets: buckets,
            owner: owner,
            settings: PipelineWorker.Settings(
                concurrency: concurrency,
                leaseDuration: leaseDuration,
                pollInterval: .milliseconds(20),
                transformTimeout: .seconds(30)
            ),
            logger: Logger(label: "test.worker")
        )
    }

    /// Writes an object into the `photos` bucket, as a client's PUT does.
    @discardableResult
    func put(
        _ key: String,
        _ text: String,
        contentType: String = "text/plain",
        metadata: [String: String] = [:]
    ) async throws -> ObjectInfo {
        try await store.put(
            bucket: Self.storeBucket,
            key: key,
            body: ObjectBody(buffer: ByteBuffer(string: text)),
            options: PutOptions(contentType: contentType, userMetadata: metadata)
        )
    }

    /// The object and its text, nil when there is none.
    func read(_ key: String) async throws -> (info: ObjectInfo, text: String)? {
        do {
            let read = try await store.get(bucket: Self.storeBucket, key: key, range: nil)
            var bytes = ByteBuffer()
            for try await var buffer in read.body { bytes.writeBuffer(&buffer) }
            return (read.info, String(buffer: bytes))
        } catch let error as RefractError where error.hasSameCode(as: .noSuchKey()) {
            return nil
        }
    }

    /// The put event of an object just written.
    func putEvent(_ info: ObjectInfo) -> ObjectEvent {
        ObjectEvent(
            bucket: Self.bucket, key: info.key, kind: .put, etag: info.etag, size: info.size,
            sequencer: queue.sequencers.next())
    }

    /// Waits until the jobs are done or dead, at most 30 s; returns them as they ended.
    func waitUntilFinished(_ ids: [Int64], queue: (any JobQueue)? = nil) async throws -> [PipelineJob] {
        let queue = queue ?? self.queue
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            var jobs: [PipelineJob] = []
            for id in ids { jobs.append(try #require(try await queue.job(id: id))) }
            if jobs.allSatisfy({ $0.state == .done || $0.state == .dead }) { return jobs }
            guard ContinuousClock.now < deadline else {
                Issue.record("jobs not finished in time: \(jobs.map { "\($0.id) \($0.state)" })")
                return jobs
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func remove() async {
        try? await queue.close()
        database.remove()
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Runs `body` with a fresh fixture, then removes it.
func withWorkerFixture(_ kind: QueueKind, _ body: (WorkerFixture) async throws -> Void) async throws {
    let fixture = try await WorkerFixture.make(kind)
    do {
        try await body(fixture)
    } catch {
        await fixture.remove()
        throw error
    }
    await fixture.remove()
}

/// Runs `body` while `worker` runs, then stops the worker and waits for it.
func whileRunning<Result>(_ worker: PipelineWorker, _ body: () async throws -> Result) async throws -> Result {
    let task = Task { await worker.run() }
    do {
        let result = try await body()
        task.cancel()
        await task.value
        return result
    } catch {
        task.cancel()
        await task.value
        throw error
    }
}
