import RefractCore
import RefractPlugins
import Synchronization
import Testing

@Suite struct PluginRunSlotsTests {
    private let farDeadline = ContinuousClock.now + .seconds(600)

    @Test func givesUpToConcurrencyRunsAtOnce() async throws {
        let slots = PluginRunSlots(pluginName: "p", concurrency: 2, queueLimit: 0)
        let first = try await slots.acquire(deadline: farDeadline)
        let second = try await slots.acquire(deadline: farDeadline)
        #expect(slots.runningCount == 2)
        first.release()
        first.release()
        #expect(slots.runningCount == 1)
        second.release()
        #expect(slots.runningCount == 0)
    }

    @Test func refusesARequestBeyondTheQueueWithSlowDown() async throws {
        let slots = PluginRunSlots(pluginName: "busy", concurrency: 1, queueLimit: 0)
        let held = try await slots.acquire(deadline: farDeadline)
        await #expect(throws: RefractError.slowDown("The plugin busy is busy and 0 requests already wait for it.")) {
            try await slots.acquire(deadline: farDeadline)
        }
        held.release()
        try await slots.acquire(deadline: farDeadline).release()
    }

    @Test func waitersGetRunsFirstComeFirstServed() async throws {
        let slots = PluginRunSlots(pluginName: "p", concurrency: 1, queueLimit: 3)
        let held = try await slots.acquire(deadline: farDeadline)
        let order = TurnLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for waiter in 1...3 {
                group.addTask {
                    let slot = try await slots.acquire(deadline: farDeadline)
                    order.append(waiter)
                    slot.release()
                }
                #expect(await eventually { slots.waitingCount == waiter })
            }
            await #expect(throws: RefractError.self) {
                try await slots.acquire(deadline: farDeadline)
            }
            held.release()
            try await group.waitForAll()
        }
        #expect(order.turns == [1, 2, 3])
        #expect(slots.runningCount == 0)
    }

    @Test func aWaiterGivesUpAtItsDeadline() async throws {
        let slots = PluginRunSlots(pluginName: "slow", concurrency: 1, queueLimit: 1)
        let held = try await slots.acquire(deadline: farDeadline)
        await #expect(
            throws: RefractError.transformTimeout("The plugin slow had no free run before the request's deadline.")
        ) {
            try await slots.acquire(deadline: .now + .milliseconds(100))
        }
        #expect(slots.waitingCount == 0)
        held.release()
        #expect(slots.runningCount == 0)
    }

    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let slots = PluginRunSlots(pluginName: "p", concurrency: 1, queueLimit: 1)
        let held = try await slots.acquire(deadline: farDeadline)
        let waiter = Task { try await slots.acquire(deadline: farDeadline) }
        #expect(await eventually { slots.waitingCount == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) {
            try await waiter.value
        }
        #expect(slots.waitingCount == 0)
        held.release()
        #expect(slots.runningCount == 0)
    }

    @Test func aDroppedSlotIsReleased() async throws {
        let slots = PluginRunSlots(pluginName: "p", concurrency: 1, queueLimit: 0)
        _ = try await slots.acquire(deadline: farDeadline)
        #expect(slots.runningCount == 0)
    }
}

private final class TurnLog: Sendable {
    private let storage = Mutex<[Int]>([])

    var turns: [Int] { storage.withLock { $0 } }

    func append(_ turn: Int) {
        storage.withLock { $0.append(turn) }
    }
}
