import Foundation
import RefractPipelines
import Testing

/// Every queue operation, against SQLite and PostgreSQL alike.
@Suite(.postgresServer)
struct JobQueueTests {
    static let retry = RetryPolicy(maxAttempts: 4, backoff: .seconds(1), maxBackoff: .seconds(3))

    func submission(_ event: ObjectEvent, pipeline: String = "thumbnails") -> JobSubmission {
        JobSubmission(pipeline: pipeline, event: event, retry: Self.retry)
    }

    @Test(arguments: QueueKind.allCases)
    func enqueueCommitsPendingJobsWithIncreasingIDs(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let event = ObjectEvent(
                bucket: "photos", key: "uploads/a b.jpg", kind: .put, etag: "\"abc\"", size: 42, sequencer: "0A")
            let jobs = try await queue.enqueue([
                submission(event), submission(event, pipeline: "previews"),
            ])
            #expect(jobs.map(\.pipeline) == ["thumbnails", "previews"])
            #expect(jobs[0].id < jobs[1].id)
            let job = jobs[0]
            #expect(job.event == event)
            #expect(job.event.etag == "abc")
            #expect(job.state == .pending)
            #expect(job.outcome == nil)
            #expect(job.attempts == 0)
            #expect(job.retry == Self.retry)
            #expect(job.nextAttemptAt == clock.now)
            #expect(job.leaseOwner == nil)
            #expect(try await queue.job(id: job.id) == job)
            #expect(try await queue.job(id: 999_999) == nil)
            #expect(try await queue.counts() == JobCounts(pending: 2))
            let later = try await queue.enqueue([submission(putEvent("other.jpg", sequencer: "01"))])
            #expect(later[0].id > jobs[1].id)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func leasesDueJobsOldestFirstToOneOwner(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let jobs = try await queue.enqueue(
                ["a.jpg", "b.jpg", "c.jpg"].map { submission(putEvent($0, sequencer: "01")) })
            let first = try await queue.lease(owner: "gateway-a", limit: 2, leaseDuration: .seconds(30))
            #expect(first.map(\.id) == [jobs[0].id, jobs[1].id])
            for job in first {
                #expect(job.state == .running)
                #expect(job.leaseOwner == "gateway-a")
                #expect(job.leaseExpiresAt == clock.now.addingTimeInterval(30))
                #expect(job.attempts == 1)
                #expect(try await queue.job(id: job.id) == job)
            }
            let second = try await queue.lease(owner: "gateway-b", limit: 5, leaseDuration: .seconds(30))
            #expect(second.map(\.id) == [jobs[2].id])
            #expect(try await queue.lease(owner: "gateway-b", limit: 5, leaseDuration: .seconds(30)).isEmpty)
            #expect(try await queue.counts() == JobCounts(running: 3))
            #expect(try await queue.lease(owner: "gateway-b", limit: 0, leaseDuration: .seconds(30)).isEmpty)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func renewsAndCompletesOnlyForTheLeaseOwner(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            _ = try await queue.enqueue([submission(putEvent("a.jpg", sequencer: "01"))])
            let job = try #require(try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(30)).first)
            clock.advance(by: .seconds(20))
            #expect(try await queue.renewLease(jobID: job.id, owner: "a", leaseDuration: .seconds(30)))
            #expect(try await queue.job(id: job.id)?.leaseExpiresAt == clock.now.addingTimeInterval(30))
            #expect(try await !queue.renewLease(jobID: job.id, owner: "b", leaseDuration: .seconds(30)))
            #expect(try await !queue.complete(jobID: job.id, owner: "b", outcome: .done))
            // Renewed: past the first lease's end, nobody else may take it.
            clock.advance(by: .seconds(20))
            #expect(try await queue.lease(owner: "b", limit: 1, leaseDuration: .seconds(30)).isEmpty)
            #expect(try await queue.complete(jobID: job.id, owner: "a", outcome: .done))
            let done = try #require(try await queue.job(id: job.id))
            #expect(done.state == .done)
            #expect(done.outcome == .done)
            #expect(done.leaseOwner == nil)
            #expect(try await !queue.complete(jobID: job.id, owner: "a", outcome: .done))
            #expect(try await queue.counts() == JobCounts(done: 1))
        }
    }

    @Test(arguments: QueueKind.allCases)
    func failedAttemptsBackOffExponentiallyThenTheJobIsDeadLettered(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let id = try await queue.enqueue([submission(putEvent("a.jpg", sequencer: "01"))])[0].id
            // backoff 1 s doubling, at most 3 s: waits of 1, 2 and 3 s, then the fourth attempt is the last.
            for (attempt, wait) in [(1, 1), (2, 2), (3, 3)] {
                let job = try #require(try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60)).first)
                #expect(job.attempts == attempt)
                let disposition = try await queue.fail(
                    jobID: id, owner: "a", error: "attempt \(attempt) broke", retryable: true)
                #expect(disposition == .retrying(at: clock.now.addingTimeInterval(TimeInterval(wait))))
                let pending = try #require(try await queue.job(id: id))
                #expect(pending.state == .pending)
                #expect(pending.lastError == "attempt \(attempt) broke")
                #expect(pending.leaseOwner == nil)
                clock.advance(by: .seconds(wait) - .milliseconds(1))
                #expect(try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60)).isEmpty)
                clock.advance(by: .milliseconds(1))
            }
            _ = try #require(try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60)).first)
            #expect(try await queue.fail(jobID: id, owner: "a", error: "last attempt broke", retryable: true) == .dead)
            let dead = try #require(try await queue.job(id: id))
            #expect(dead.state == .dead)
            #expect(dead.attempts == 4)
            #expect(dead.lastError == "last attempt broke")
            clock.advance(by: .seconds(3600))
            #expect(try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60)).isEmpty)
            #expect(try await queue.list(states: [.dead], limit: 10).map(\.id) == [id])
            #expect(try await queue.counts() == JobCounts(dead: 1))
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aFailureNoRetryMendsDeadLettersAtOnce(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            let id = try await queue.enqueue([submission(putEvent("a.jpg", sequencer: "01"))])[0].id
            _ = try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60))
            #expect(try await queue.fail(jobID: id, owner: "b", error: "not mine", retryable: true) == .leaseLost)
            #expect(try await queue.fail(jobID: id, owner: "a", error: "corrupt image", retryable: false) == .dead)
            #expect(try await queue.job(id: id)?.state == .dead)
            #expect(try await queue.job(id: id)?.attempts == 1)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func retryPutsDeadJobsBackWithTheirAttemptsReset(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let ids = try await queue.enqueue(
                ["a.jpg", "b.jpg", "c.jpg"].map { submission(putEvent($0, sequencer: "01")) }
            ).map(\.id)
            for job in try await queue.lease(owner: "a", limit: 3, leaseDuration: .seconds(60)) {
                _ = try await queue.fail(jobID: job.id, owner: "a", error: "broken", retryable: false)
            }
            #expect(try await queue.counts() == JobCounts(dead: 3))
            clock.advance(by: .seconds(10))

            let retried = try await queue.retry(jobID: ids[0])
            #expect(retried.state == .pending)
            #expect(retried.attempts == 0)
            #expect(retried.nextAttemptAt == clock.now)
            #expect(retried.lastError == "broken")
            let leased = try await queue.lease(owner: "a", limit: 3, leaseDuration: .seconds(60))
            #expect(leased.map(\.id) == [ids[0]])
            #expect(leased.first?.attempts == 1)

            let notDead = await #expect(throws: JobQueueError.self) { try await queue.retry(jobID: ids[0]) }
            #expect(notDead?.message.contains("running, not dead") == true)
            let missing = await #expect(throws: JobQueueError.self) { try await queue.retry(jobID: 123_456) }
            #expect(missing?.message == "There is no job 123456.")

            #expect(try await queue.retryAllFailed() == 2)
            #expect(try await queue.retryAllFailed() == 0)
            #expect(try await queue.counts() == JobCounts(pending: 2, running: 1))
        }
    }

    @Test(arguments: QueueKind.allCases)
    func anExpiredLeaseIsTakenByAnotherOwner(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let id = try await queue.enqueue([submission(putEvent("a.jpg", sequencer: "01"))])[0].id
            _ = try await queue.lease(owner: "killed", limit: 1, leaseDuration: .seconds(10))
            clock.advance(by: .seconds(9))
            #expect(try await queue.lease(owner: "survivor", limit: 1, leaseDuration: .seconds(10)).isEmpty)
            clock.advance(by: .seconds(1))
            let taken = try await queue.lease(owner: "survivor", limit: 1, leaseDuration: .seconds(10))
            #expect(taken.map(\.id) == [id])
            #expect(taken.first?.attempts == 2)
            #expect(taken.first?.leaseOwner == "survivor")
            // The first owner, come back to life, finds its lease gone.
            #expect(try await !queue.renewLease(jobID: id, owner: "killed", leaseDuration: .seconds(10)))
            #expect(try await !queue.complete(jobID: id, owner: "killed", outcome: .done))
            #expect(try await queue.fail(jobID: id, owner: "killed", error: "late", retryable: true) == .leaseLost)
            #expect(try await !queue.release(jobID: id, owner: "killed"))
            #expect(try await queue.complete(jobID: id, owner: "survivor", outcome: .done))
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aLeaseExpiredOnTheLastAttemptDeadLettersTheJob(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let once = JobSubmission(
                pipeline: "thumbnails", event: putEvent("a.jpg", sequencer: "01"), retry: RetryPolicy(maxAttempts: 1))
            let id = try await queue.enqueue([once])[0].id
            _ = try await queue.lease(owner: "crashing", limit: 1, leaseDuration: .seconds(10))
            clock.advance(by: .seconds(10))
            #expect(try await queue.lease(owner: "other", limit: 1, leaseDuration: .seconds(10)).isEmpty)
            let dead = try #require(try await queue.job(id: id))
            #expect(dead.state == .dead)
            #expect(dead.lastError?.contains("lease expired") == true)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func releaseGivesTheJobBackWithoutCountingTheAttempt(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let id = try await queue.enqueue([submission(putEvent("a.jpg", sequencer: "01"))])[0].id
            _ = try await queue.lease(owner: "stopping", limit: 1, leaseDuration: .seconds(60))
            #expect(try await !queue.release(jobID: id, owner: "other"))
            #expect(try await queue.release(jobID: id, owner: "stopping"))
            let released = try #require(try await queue.job(id: id))
            #expect(released.state == .pending)
            #expect(released.attempts == 0)
            #expect(released.nextAttemptAt == clock.now)
            #expect(try await queue.lease(owner: "other", limit: 1, leaseDuration: .seconds(60)).first?.attempts == 1)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aRestartedOwnerTakesItsJobsBackAtOnce(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            _ = try await queue.enqueue(["a.jpg", "b.jpg"].map { submission(putEvent($0, sequencer: "01")) })
            _ = try await queue.lease(owner: "host:8080", limit: 2, leaseDuration: .seconds(60))
            #expect(try await queue.expireLeases(owner: "other") == 0)
            #expect(try await queue.expireLeases(owner: "host:8080") == 2)
            let again = try await queue.lease(owner: "host:8080", limit: 2, leaseDuration: .seconds(60))
            #expect(again.count == 2)
            #expect(again.allSatisfy { $0.attempts == 2 })
        }
    }

    @Test(arguments: QueueKind.allCases)
    func theSameEventTwiceIsEnqueuedOnce(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            let event = putEvent("a.jpg", sequencer: "0055AB")
            #expect(try await queue.enqueue([submission(event), submission(event)]).count == 1)
            #expect(try await queue.enqueue([submission(event)]).isEmpty)
            // Finished work is not redone either.
            let job = try #require(try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60)).first)
            #expect(try await queue.complete(jobID: job.id, owner: "a", outcome: .done))
            #expect(try await queue.enqueue([submission(event)]).isEmpty)
            #expect(try await queue.counts() == JobCounts(done: 1))
            // Each pipeline keeps its own record.
            #expect(try await queue.enqueue([submission(event, pipeline: "previews")]).count == 1)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func anOlderEventAfterANewerOneIsIgnored(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            // S3's sequencers differ in length: compared as hexadecimal numbers, 0FF < 100 < 0101.
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "v2", sequencer: "100"))]).count == 1)
            #expect(try await queue.enqueue([submission(deleteEvent("a.jpg", sequencer: "0FF"))]).isEmpty)
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "v1", sequencer: "00FF"))]).isEmpty)
            let delete = try await queue.enqueue([submission(deleteEvent("a.jpg", sequencer: "0101"))])
            #expect(delete.map(\.event.kind) == [.delete])
            // Lower-case hexadecimal compares as upper-case does.
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "v3", sequencer: "0100"))]).isEmpty)
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "v3", sequencer: "01a0"))]).count == 1)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aWriteReportedAgainWithANewSequencerIsADuplicate(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            // The gateway's own event, then the store's notification of the same write.
            let written = try await queue.enqueue([submission(putEvent("a.jpg", etag: "x", sequencer: "10"))])
            #expect(written.count == 1)
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "x", sequencer: "20"))]).isEmpty)
            // The duplicate still moved the record on: an event between the two is old.
            #expect(try await queue.enqueue([submission(deleteEvent("a.jpg", sequencer: "1F"))]).isEmpty)
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "y", sequencer: "30"))]).count == 1)
            // Written back as it was: new content for the outputs.
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "x", sequencer: "40"))]).count == 1)
            // A delete and then the same content again is a new write too.
            #expect(try await queue.enqueue([submission(deleteEvent("a.jpg", sequencer: "50"))]).count == 1)
            #expect(try await queue.enqueue([submission(putEvent("a.jpg", etag: "x", sequencer: "60"))]).count == 1)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aNewerEventSupersedesTheObjectsPendingJob(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            let first = try await queue.enqueue([
                submission(putEvent("a.jpg", etag: "x", sequencer: "01")),
                submission(putEvent("b.jpg", etag: "x", sequencer: "01")),
            ])
            let second = try await queue.enqueue([submission(putEvent("a.jpg", etag: "y", sequencer: "02"))])
            let superseded = try #require(try await queue.job(id: first[0].id))
            #expect(superseded.state == .done)
            #expect(superseded.outcome == .superseded)
            #expect(try await queue.job(id: first[1].id)?.state == .pending)
            let leased = try await queue.lease(owner: "a", limit: 10, leaseDuration: .seconds(60))
            #expect(Set(leased.map(\.id)) == [first[1].id, second[0].id])
        }
    }

    @Test(arguments: QueueKind.allCases)
    func twoJobsOfOneObjectNeverRunAtOnce(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            let first = try await queue.enqueue([submission(putEvent("a.jpg", etag: "x", sequencer: "01"))])[0]
            _ = try await queue.lease(owner: "a", limit: 1, leaseDuration: .seconds(60))
            let second = try await queue.enqueue([submission(putEvent("a.jpg", etag: "y", sequencer: "02"))])[0]
            let other = try await queue.enqueue([submission(putEvent("b.jpg", sequencer: "01"))])[0]
            #expect(try await queue.lease(owner: "b", limit: 10, leaseDuration: .seconds(60)).map(\.id) == [other.id])
            #expect(try await queue.complete(jobID: first.id, owner: "a", outcome: .superseded))
            #expect(try await queue.lease(owner: "b", limit: 10, leaseDuration: .seconds(60)).map(\.id) == [second.id])
        }
    }

    @Test(arguments: QueueKind.allCases)
    func aBackfillIsTakenWhateverCameBefore(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            let first = try await queue.enqueue([submission(putEvent("a.jpg", etag: "x", sequencer: "0900"))])
            #expect(first.count == 1)
            let backfill = JobSubmission(
                pipeline: "thumbnails",
                event: putEvent("a.jpg", etag: "x", sequencer: "0100"),
                retry: Self.retry,
                bypassesDeduplication: true
            )
            #expect(try await queue.enqueue([backfill]).count == 1)
            // The record kept the newest sequencer.
            #expect(try await queue.enqueue([submission(deleteEvent("a.jpg", sequencer: "0800"))]).isEmpty)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func listsNewestFirstByState(kind: QueueKind) async throws {
        try await withQueue(kind, clock: ManualClock()) { queue, _ in
            let ids = try await queue.enqueue(
                ["a", "b", "c", "d"].map { submission(putEvent($0, sequencer: "01")) }
            ).map(\.id)
            let leased = try await queue.lease(owner: "a", limit: 2, leaseDuration: .seconds(60))
            _ = try await queue.fail(jobID: leased[0].id, owner: "a", error: "broken", retryable: false)
            #expect(try await queue.list(states: [], limit: 10).map(\.id) == ids.reversed())
            #expect(try await queue.list(states: [], limit: 2).map(\.id) == [ids[3], ids[2]])
            #expect(try await queue.list(states: [.pending], limit: 10).map(\.id) == [ids[3], ids[2]])
            #expect(try await queue.list(states: [.dead, .running], limit: 10).map(\.id) == [ids[1], ids[0]])
            #expect(try await queue.list(states: [.done], limit: 10).isEmpty)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func removesFinishedJobsButKeepsDeadOnes(kind: QueueKind) async throws {
        let clock = ManualClock()
        try await withQueue(kind, clock: clock) { queue, _ in
            _ = try await queue.enqueue(["a", "b", "c"].map { submission(putEvent($0, sequencer: "01")) })
            let leased = try await queue.lease(owner: "a", limit: 3, leaseDuration: .seconds(60))
            _ = try await queue.complete(jobID: leased[0].id, owner: "a", outcome: .done)
            _ = try await queue.fail(jobID: leased[1].id, owner: "a", error: "broken", retryable: false)
            clock.advance(by: .seconds(60))
            _ = try await queue.complete(jobID: leased[2].id, owner: "a", outcome: .done)
            #expect(try await queue.removeFinishedJobs(before: clock.now) == 1)
            #expect(try await queue.job(id: leased[0].id) == nil)
            #expect(try await queue.counts() == JobCounts(done: 1, dead: 1))
            // The object's record outlives its jobs: the finished event is still a duplicate.
            #expect(try await queue.enqueue([submission(putEvent("a", sequencer: "01"))]).isEmpty)
        }
    }
}
