import Foundation
import RefractCore
import RefractPipelines
import RefractStorage
import Testing

/// Workers running real pipelines over a real filesystem store, with either queue.
@Suite(.postgresServer)
struct PipelineWorkerTests {
    static func pipeline(
        _ name: String = "texts",
        events: Set<ObjectEvent.Kind> = [.put, .delete],
        outputs: [(String, String)],
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, backoff: .milliseconds(10), maxBackoff: .milliseconds(40)),
        registry: TransformRegistry? = nil
    ) throws -> UploadPipeline {
        let registry = try registry ?? TestTransforms.registry()
        return UploadPipeline(
            name: name,
            bucket: WorkerFixture.bucket,
            events: events,
            prefix: "uploads/",
            suffixes: [".txt", ".png"],
            outputs: try outputs.map { .init(keyTemplate: $0.0, pipeline: try registry.pipeline(steps: $0.1)) },
            retry: retry
        )
    }

    @Test(arguments: QueueKind.allCases)
    func aPutWritesEveryOutputMarkedWithItsSource(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper"), ("copies/{stem}.copy", "record")])
            let source = try await fixture.put("uploads/2024/note.txt", "hello pipelines")
            let jobs = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            #expect(finished.map(\.state) == [.done])
            #expect(finished.map(\.outcome) == [.done])
            #expect(finished.map(\.attempts) == [1])

            let mark = "photos/uploads/2024/note.txt@\(ObjectEvent.unquoted(source.etag))"
            let upper = try #require(try await fixture.read("upper/uploads/2024/note.txt"))
            #expect(upper.text == "HELLO PIPELINES")
            #expect(upper.info.contentType == "text/plain")
            #expect(upper.info.userMetadata == ["refract-source": mark])
            let copy = try #require(try await fixture.read("copies/note.copy"))
            #expect(copy.text == "hello pipelines")
            #expect(copy.info.userMetadata == ["refract-source": mark])
            // The outputs themselves trigger nothing.
            let matcher = PipelineMatcher(pipelines: [pipeline])
            for output in [upper.info, copy.info] {
                #expect(
                    matcher.pipelines(triggeredBy: fixture.putEvent(output), userMetadata: output.userMetadata).isEmpty)
            }
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aDeleteRemovesTheOutputsItsSourceHad(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper"), ("copies/{stem}.copy", "record")])
            let worker = fixture.worker([pipeline])
            try await whileRunning(worker) {
                let source = try await fixture.put("uploads/a.txt", "text")
                let written = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
                _ = try await fixture.waitUntilFinished(written.map(\.id))
                #expect(try await fixture.read("upper/uploads/a.txt") != nil)
                // An object the pipeline did not write, at the key of another output: not the pipeline's to remove.
                try await fixture.store.delete(bucket: WorkerFixture.storeBucket, key: "copies/a.copy")
                try await fixture.put("copies/a.copy", "mine")

                try await fixture.store.delete(bucket: WorkerFixture.storeBucket, key: "uploads/a.txt")
                let delete = ObjectEvent(
                    bucket: WorkerFixture.bucket, key: "uploads/a.txt", kind: .delete,
                    sequencer: fixture.queue.sequencers.next())
                let removed = try await fixture.queue.enqueue(delete, for: [pipeline])
                let finished = try await fixture.waitUntilFinished(removed.map(\.id))
                #expect(finished.map(\.outcome) == [.done])
            }
            #expect(try await fixture.read("upper/uploads/a.txt") == nil)
            #expect(try await fixture.read("copies/a.copy")?.text == "mine")
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aChangedOrRemovedSourceSupersedesItsJob(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper")])
            let first = try await fixture.put("uploads/changed.txt", "first")
            let gone = try await fixture.put("uploads/gone.txt", "gone")
            let jobs = try await fixture.queue.enqueue([
                JobSubmission(event: fixture.putEvent(first), pipeline: pipeline),
                JobSubmission(event: fixture.putEvent(gone), pipeline: pipeline),
            ])
            // Before any worker runs: a second write, and a removal.
            try await fixture.put("uploads/changed.txt", "second")
            try await fixture.store.delete(bucket: WorkerFixture.storeBucket, key: "uploads/gone.txt")
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            #expect(finished.map(\.outcome) == [.superseded, .superseded])
            #expect(try await fixture.read("upper/uploads/changed.txt") == nil)
            #expect(try await fixture.read("upper/uploads/gone.txt") == nil)
        }
    }

    @Test func aSourceThatIsItselfAnOutputIsSkipped() async throws {
        try await withWorkerFixture(.sqlite) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper")])
            // Written by a pipeline under a key no template explains (an in-place output, another gateway's).
            let source = try await fixture.put(
                "uploads/derived.txt", "derived", metadata: ["refract-source": "photos/uploads/original.txt@abc"])
            let jobs = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            #expect(finished.map(\.outcome) == [.skipped])
            #expect(try await fixture.read("upper/uploads/derived.txt") == nil)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func failingOutputsAreRetriedThenDeadLettered(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let failures = TestTransforms.Counter()
            let pipeline = try Self.pipeline(
                outputs: [("upper/{key}", "upper"), ("broken/{key}", "fail")],
                registry: TestTransforms.registry(failures: failures)
            )
            let source = try await fixture.put("uploads/a.txt", "text")
            let jobs = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            let job = try #require(finished.first)
            #expect(job.state == .dead)
            #expect(job.attempts == 3)
            #expect(failures.byKey == ["uploads/a.txt": 3])
            #expect(job.lastError?.contains("Output broken/uploads/a.txt: TransformFailed") == true)
            #expect(job.lastError?.contains("fails on purpose") == true)
            #expect(try await fixture.queue.list(states: [.dead], limit: 10).map(\.id) == [job.id])

            // Retried by hand, it fails again, all its attempts anew.
            _ = try await fixture.queue.retry(jobID: job.id)
            let again = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished([job.id])
            }
            #expect(again.map(\.state) == [.dead])
            #expect(failures.byKey == ["uploads/a.txt": 6])
        }
    }

    @Test func aSourceThePipelineCannotTakeIsDeadLetteredAtOnce() async throws {
        try await withWorkerFixture(.sqlite) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper")])
            let source = try await fixture.put("uploads/image.png", "\u{89}PNG", contentType: "image/png")
            let jobs = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            #expect(finished.map(\.state) == [.dead])
            #expect(finished.map(\.attempts) == [1])
            #expect(finished.first?.lastError?.contains("UnsupportedMediaType") == true)
        }
    }

    @Test func jobsOfAPipelineNoLongerConfiguredAreDeadLettered() async throws {
        try await withWorkerFixture(.sqlite) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper")])
            let source = try await fixture.put("uploads/a.txt", "text")
            let jobs = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
            let finished = try await whileRunning(fixture.worker([])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            #expect(finished.map(\.state) == [.dead])
            #expect(finished.first?.lastError == "The pipeline texts is no longer configured.")
        }
    }

    @Test func anOutputOfUnknownLengthIsStoredInParts() async throws {
        try await withWorkerFixture(.sqlite) { fixture in
            let line = String(repeating: "0123456789abcdef", count: 64) + "\n"  // 1025 bytes
            let pipeline = try Self.pipeline(outputs: [("big/{key}", "repeat:9000"), ("small/{key}", "repeat:3")])
            let source = try await fixture.put("uploads/line.txt", line)
            let jobs = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(jobs.map(\.id))
            }
            #expect(finished.map(\.outcome) == [.done])
            let big = try #require(try await fixture.read("big/uploads/line.txt"))
            #expect(big.info.size == 1025 * 9000)
            #expect(big.text == String(repeating: line, count: 9000))
            // A multipart upload's ETag: the parts' digest and their count.
            #expect(big.info.etag.hasSuffix("-2\""))
            #expect(big.info.userMetadata["refract-source"] != nil)
            #expect(big.info.contentType == "application/octet-stream")
            let small = try #require(try await fixture.read("small/uploads/line.txt"))
            #expect(small.text == String(repeating: line, count: 3))
            #expect(!small.info.etag.contains("-"))
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aStoppingWorkerGivesItsRunningJobBack(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let gate = TestTransforms.Gate()
            let pipeline = try Self.pipeline(
                outputs: [("waited/{key}", "wait")], registry: TestTransforms.registry(gate: gate))
            let source = try await fixture.put("uploads/a.txt", "text")
            let id = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])[0].id
            try await whileRunning(fixture.worker([pipeline], owner: "stopping")) {
                while gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(try await fixture.queue.job(id: id)?.state == .running)
            }
            let released = try #require(try await fixture.queue.job(id: id))
            #expect(released.state == .pending)
            #expect(released.attempts == 0)
            #expect(try await fixture.read("waited/uploads/a.txt") == nil)

            gate.open()
            let finished = try await whileRunning(fixture.worker([pipeline], owner: "next")) {
                try await fixture.waitUntilFinished([id])
            }
            #expect(finished.map(\.outcome) == [.done])
            #expect(finished.map(\.attempts) == [1])
            #expect(try await fixture.read("waited/uploads/a.txt")?.text == "text")
        }
    }

    @Test func aLongJobKeepsItsLease() async throws {
        try await withWorkerFixture(.sqlite) { fixture in
            let gate = TestTransforms.Gate()
            let pipeline = try Self.pipeline(
                outputs: [("waited/{key}", "wait")], registry: TestTransforms.registry(gate: gate))
            let source = try await fixture.put("uploads/a.txt", "text")
            let id = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])[0].id
            let worker = fixture.worker([pipeline], owner: "slow", leaseDuration: .milliseconds(300))
            let finished = try await whileRunning(worker) {
                while gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(10)) }
                // Three lease durations long: renewed all along, the job is never free for another worker.
                for _ in 0..<9 {
                    try await Task.sleep(for: .milliseconds(100))
                    #expect(try await fixture.queue.lease(owner: "other", limit: 1, leaseDuration: .seconds(1)).isEmpty)
                }
                gate.open()
                return try await fixture.waitUntilFinished([id])
            }
            #expect(finished.map(\.outcome) == [.done])
            #expect(finished.map(\.attempts) == [1])
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aRestartedGatewayRunsTheJobsItHadLeased(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper")])
            let source = try await fixture.put("uploads/a.txt", "text")
            let id = try await fixture.queue.enqueue(fixture.putEvent(source), for: [pipeline])[0].id
            // The gateway leased the job, then was killed: its lease has most of an hour to run.
            _ = try await fixture.queue.lease(owner: "host-1:8080", limit: 1, leaseDuration: .seconds(3000))
            #expect(try await fixture.queue.job(id: id)?.state == .running)
            let finished = try await whileRunning(fixture.worker([pipeline], owner: "host-1:8080")) {
                try await fixture.waitUntilFinished([id])
            }
            #expect(finished.map(\.outcome) == [.done])
            #expect(finished.map(\.attempts) == [2])
            #expect(try await fixture.read("upper/uploads/a.txt")?.text == "TEXT")
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aBackfillEnqueuesTheObjectsThePipelineMatches(kind: QueueKind) async throws {
        try await withWorkerFixture(kind) { fixture in
            let pipeline = try Self.pipeline(outputs: [("upper/{key}", "upper")])
            for key in ["uploads/a.txt", "uploads/b/c.txt", "uploads/d.txt", "uploads/e.jpg", "other/f.txt"] {
                try await fixture.put(key, key)
            }
            try await fixture.put("upper/uploads/z.txt", "an output")
            var reports: [[Int]] = []
            let counts = try await fixture.queue.enqueueBackfill(
                pipeline: pipeline, store: fixture.store, storeBucket: WorkerFixture.storeBucket
            ) { listed, enqueued in reports.append([listed, enqueued]) }
            #expect(counts.listed == 4)  // the keys under uploads/
            #expect(counts.enqueued == 3)
            #expect(reports.last == [4, 3])
            let narrowed = try await fixture.queue.enqueueBackfill(
                pipeline: pipeline, store: fixture.store, storeBucket: WorkerFixture.storeBucket,
                prefix: "uploads/b/")
            #expect(narrowed.listed == 1)
            #expect(narrowed.enqueued == 1)
            let outside = try await fixture.queue.enqueueBackfill(
                pipeline: pipeline, store: fixture.store, storeBucket: WorkerFixture.storeBucket, prefix: "other/")
            #expect(outside.listed == 0)

            let pending = try await fixture.queue.list(states: [.pending], limit: 10)
            #expect(Set(pending.map(\.event.key)) == ["uploads/a.txt", "uploads/b/c.txt", "uploads/d.txt"])
            let finished = try await whileRunning(fixture.worker([pipeline])) {
                try await fixture.waitUntilFinished(pending.map(\.id))
            }
            #expect(finished.allSatisfy { $0.outcome == .done })
            #expect(try await fixture.read("upper/uploads/b/c.txt")?.text == "UPLOADS/B/C.TXT")
        }
    }
}
