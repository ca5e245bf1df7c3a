import Foundation
import NIOCore
import RefractCore
import RefractPlugins
import Testing

/// What stops a run, and that a stopped run leaves nothing behind: no process of its group, no zombie.
@Suite struct ExecTransformLifetimeTests {
    @Test func aHangingPluginIsKilledWithItsGroupAtItsTimeout() async throws {
        let pidFile = temporaryPath("pids")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("hang.sh", timeout: .seconds(2)))
        await #expect(throws: RefractError.transformTimeout("The plugin test-plugin did not finish in time.")) {
            _ = try await transform.apply(
                textInput("x"), context: execContext(parameters: ["pidfile": .string(pidFile)]))
        }
        let pids = try await recordedPIDs(pidFile)
        #expect(pids.count == 2)
        #expect(await eventually { processGroupIsGone(pids[0]) && pids.allSatisfy(processIsGone) })
        #expect(await eventually { transform.slots.runningCount == 0 })
    }

    @Test func thePluginLeadsAProcessGroupOfItsOwnKilledWhenTheRequestIsCancelled() async throws {
        let pidFile = temporaryPath("pids")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("hang.sh"))
        let request = Task {
            _ = try await transform.apply(
                textInput("x"), context: execContext(parameters: ["pidfile": .string(pidFile)]))
        }
        let pids = try await recordedPIDs(pidFile)
        try #require(pids.count == 2)
        #expect(getpgid(pids[0]) == pids[0])
        #expect(getpgid(pids[1]) == pids[0])
        #expect(getpgid(pids[0]) != getpgrp())
        request.cancel()
        await #expect(throws: CancellationError.self) {
            try await request.value
        }
        #expect(await eventually { processGroupIsGone(pids[0]) && pids.allSatisfy(processIsGone) })
        #expect(await eventually { transform.slots.runningCount == 0 })
    }

    @Test func theRequestDeadlineStopsARunWhoseBodyBegan() async throws {
        let pidFile = temporaryPath("pids")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("hang-after-body.sh"))
        let context = execContext(parameters: ["pidfile": .string(pidFile)], deadline: .seconds(2))
        let output = try await transform.apply(textInput("x"), context: context)
        var received = ""
        await #expect(throws: RefractError.transformTimeout("The plugin test-plugin did not finish in time.")) {
            for try await buffer in output.body {
                received += String(buffer: buffer)
            }
        }
        #expect(received == "started")
        let pids = try await recordedPIDs(pidFile)
        #expect(await eventually { processGroupIsGone(pids[0]) && pids.allSatisfy(processIsGone) })
    }

    @Test(arguments: ["grandchild.sh", "detached-grandchild.sh"])
    func aChildLeftInTheGroupIsKilledWhenThePluginExits(script: String) async throws {
        let pidFile = temporaryPath("pid")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest(script))
        let output = try await transform.apply(
            textInput("x"),
            context: execContext(parameters: ["pidfile": .string(pidFile)])
        )
        #expect(try await collectString(output.body).hasPrefix("left a"))
        let child = try #require(try await recordedPIDs(pidFile).first)
        #expect(await eventually { processIsGone(child) })
        #expect(await eventually { transform.slots.runningCount == 0 })
    }

    @Test func cancellingTheReaderKillsThePlugin() async throws {
        let pidFile = temporaryPath("pid")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("endless.sh"))
        let output = try await transform.apply(
            textInput("x"),
            context: execContext(parameters: ["pidfile": .string(pidFile)])
        )
        let pid = try #require(try await recordedPIDs(pidFile).first)
        let received = SharedCounter()
        let reader = Task {
            for try await buffer in output.body {
                received.add(buffer.readableBytes)
            }
        }
        #expect(await eventually { received.value > 1 << 20 })
        reader.cancel()
        await #expect(throws: CancellationError.self) {
            try await reader.value
        }
        #expect(await eventually { processGroupIsGone(pid) && processIsGone(pid) })
        #expect(await eventually { transform.slots.runningCount == 0 })
    }

    @Test(arguments: [0, 3])
    func droppingTheBodyUnfinishedKillsThePlugin(buffersRead: Int) async throws {
        let pidFile = temporaryPath("pid")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("endless.sh"))
        do {
            let output = try await transform.apply(
                textInput("x"),
                context: execContext(parameters: ["pidfile": .string(pidFile)])
            )
            var iterator = output.body.makeAsyncIterator()
            for _ in 0..<buffersRead {
                #expect(try await iterator.next() != nil)
            }
        }
        let pid = try #require(try await recordedPIDs(pidFile).first)
        #expect(await eventually { processGroupIsGone(pid) && processIsGone(pid) })
        #expect(await eventually { transform.slots.runningCount == 0 })
    }
}
