import Foundation
import RefractCore
import RefractPlugins
import Testing

/// `concurrency` and `queue_limit`: how many runs of one plugin go on, wait, or are refused.
@Suite struct ExecTransformConcurrencyTests {
    private struct Gate {
        let gate = temporaryPath("gate")
        let log = temporaryPath("log")

        /// Runs gate.sh as `name`; its answer.
        func run(_ name: String, on transform: ExecTransform) async throws -> String {
            let parameters: [String: ParameterValue] = [
                "name": .string(name), "gate": .string(gate), "log": .string(log),
            ]
            let output = try await transform.apply(textInput("x"), context: execContext(parameters: parameters))
            return try await collectString(output.body)
        }

        var entries: [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func remove() {
            removeTemporaryFile(gate)
            removeTemporaryFile(log)
        }

        func open() throws {
            try #require(FileManager.default.createFile(atPath: gate, contents: nil))
        }
    }

    @Test func aRequestBeyondTheRunsAndQueueGetsSlowDown() async throws {
        let gate = Gate()
        defer { gate.remove() }
        let transform = execTransform(execManifest("gate.sh", concurrency: 1, queueLimit: 0))
        let first = Task { try await gate.run("A", on: transform) }
        #expect(await eventually { gate.entries == ["start A"] })

        let error = await #expect(throws: RefractError.self) {
            _ = try await gate.run("B", on: transform)
        }
        #expect(error?.s3Code == "SlowDown")
        #expect(error?.httpStatus == 503)
        #expect(error?.retryAfterSeconds == 1)

        try gate.open()
        #expect(try await first.value == "A")
        #expect(gate.entries == ["start A", "end A"])
    }

    @Test func aQueuedRequestWaitsForTheRunningOneThenRuns() async throws {
        let gate = Gate()
        defer { gate.remove() }
        let transform = execTransform(execManifest("gate.sh", concurrency: 1, queueLimit: 1))
        let first = Task { try await gate.run("A", on: transform) }
        #expect(await eventually { gate.entries == ["start A"] })
        let second = Task { try await gate.run("B", on: transform) }
        #expect(await eventually { transform.slots.waitingCount == 1 })
        #expect(gate.entries == ["start A"])

        try gate.open()
        #expect(try await first.value == "A")
        #expect(try await second.value == "B")
        #expect(gate.entries == ["start A", "end A", "start B", "end B"])
    }

    @Test func aRunKeepsItsSlotUntilItsProcessIsReaped() async throws {
        let pidFile = temporaryPath("pids")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("hang-after-body.sh", concurrency: 1, queueLimit: 0))
        let context = execContext(parameters: ["pidfile": .string(pidFile)], deadline: .seconds(2))
        let output = try await transform.apply(textInput("x"), context: context)

        // apply has returned, but the process still runs: the plugin is still busy.
        await #expect(throws: RefractError.self) {
            _ = try await transform.apply(textInput("x"), context: execContext())
        }
        await #expect(throws: RefractError.self) {
            _ = try await collectString(output.body)
        }
        let pids = try await recordedPIDs(pidFile)
        #expect(await eventually { transform.slots.runningCount == 0 })
        #expect(processIsGone(pids[0]))
        #expect(await eventually { pids.allSatisfy(processIsGone) })
    }
}
