import Foundation
import Logging
import RefractCore
import RefractPipelines
import Testing

/// Several gateways sharing one PostgreSQL queue.
@Suite(.postgresServer)
struct PostgresGatewaysTests {
    @Test func gatewaysOpeningAFreshDatabaseTogetherBothGetTheSchema() async throws {
        let database = try await QueueDatabase.make(.postgres)
        let queues = try await withThrowingTaskGroup(of: (any JobQueue).self) { group in
            for _ in 0..<4 { group.addTask { try await database.open() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let jobs = try await queues[0].enqueue(putEvent("a.txt", sequencer: "01"), for: [])
        #expect(jobs.isEmpty)
        for queue in queues {
            #expect(try await queue.counts() == JobCounts())
            try await queue.close()
        }
    }

    @Test func twoGatewaysRunEachOfTwoHundredJobsExactlyOnce() async throws {
        let records = TestTransforms.Counter()
        let registry = try TestTransforms.registry(records: records)
        let pipeline = UploadPipeline(
            name: "copies",
            bucket: WorkerFixture.bucket,
            outputs: [.init(keyTemplate: "copies/{key}", pipeline: try registry.pipeline(steps: "record"))]
        )
        try await withWorkerFixture(.postgres) { fixture in
            let second = try await fixture.database.open()
            var events: [ObjectEvent] = []
            for index in 0..<200 {
                events.append(fixture.putEvent(try await fixture.put("uploads/\(index).txt", "object \(index)")))
            }
            // Half the events enqueued by each gateway, as their PUTs would.
            let first = try await fixture.queue.enqueue(
                events[..<100].map { JobSubmission(event: $0, pipeline: pipeline) })
            let other = try await second.enqueue(events[100...].map { JobSubmission(event: $0, pipeline: pipeline) })
            let ids = (first + other).map(\.id)
            #expect(Set(ids).count == 200)

            let gatewayA = fixture.worker([pipeline], owner: "gateway-a", concurrency: 4)
            let gatewayB = fixture.worker([pipeline], owner: "gateway-b", queue: second, concurrency: 4)
            let finished = try await whileRunning(gatewayA) {
                try await whileRunning(gatewayB) { try await fixture.waitUntilFinished(ids) }
            }
            #expect(finished.allSatisfy { $0.state == .done && $0.outcome == .done && $0.attempts == 1 })
            #expect(records.byKey.count == 200)
            #expect(records.byKey.values.allSatisfy { $0 == 1 })
            #expect(try await fixture.read("copies/uploads/199.txt")?.text == "object 199")
            #expect(try await second.counts() == JobCounts(done: 200))
            try await second.close()
        }
    }

    @Test func leasingAtOnceNeverHandsOneJobToTwoGateways() async throws {
        let database = try await QueueDatabase.make(.postgres)
        let queues = [try await database.open(), try await database.open(), try await database.open()]
        let retry = RetryPolicy()
        _ = try await queues[0].enqueue(
            (0..<300).map { JobSubmission(pipeline: "p", event: putEvent("k\($0)", sequencer: "01"), retry: retry) })
        let leased = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (index, queue) in queues.enumerated() {
                for worker in 0..<4 {
                    group.addTask {
                        var ids: [Int64] = []
                        while true {
                            let jobs = try await queue.lease(
                                owner: "gateway-\(index)-\(worker)", limit: 7, leaseDuration: .seconds(60))
                            if jobs.isEmpty { return ids }
                            ids += jobs.map(\.id)
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(leased.count == 300)
        #expect(Set(leased).count == 300)
        for queue in queues { try await queue.close() }
    }

    @Test func theLocationComesFromTheURL() throws {
        let full = try PostgresLocation(url: "postgres://refract:s%40cret@db.example:6543/jobs?sslmode=require")
        #expect(full.host == "db.example")
        #expect(full.port == 6543)
        #expect(full.username == "refract")
        #expect(full.password == "s@cret")
        #expect(full.database == "jobs")
        #expect(full.tlsMode == .require)
        #expect(full.unixSocketPath == nil)

        let short = try PostgresLocation(url: "postgresql://gateway@localhost")
        #expect(short.port == 5432)
        #expect(short.password == nil)
        #expect(short.database == "gateway")
        #expect(short.tlsMode == .prefer)

        let socket = try PostgresLocation(url: "postgres://gateway@/queue?host=/var/run/postgresql")
        #expect(socket.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")

        let mode = #expect(throws: JobQueueError.self) { try PostgresLocation(url: "postgres://u@h/d?sslmode=maybe") }
        #expect(
            mode?.message == "sslmode must be one of disable, prefer, require, verify-ca, verify-full, got \"maybe\".")
        let user = #expect(throws: JobQueueError.self) { try PostgresLocation(url: "postgres://:pw@h/d") }
        #expect(user?.message == "The PostgreSQL URL \"postgres://:***@h/d\" names no user.")
        #expect(throws: JobQueueError.self) { try PostgresLocation(url: "postgres://u@h/d?pool=3") }
    }
}
