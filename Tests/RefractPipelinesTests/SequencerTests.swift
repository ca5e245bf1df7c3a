import RefractPipelines
import Synchronization
import Testing

@Suite struct SequencerTests {
    @Test func comparesHexadecimalValuesOfAnyLength() {
        #expect(Sequencer.isNewer("0A1B2C3D4E5F678902", than: "0A1B2C3D4E5F678901"))
        #expect(Sequencer.isNewer("100", than: "FF"))
        #expect(!Sequencer.isNewer("FF", than: "100"))
        #expect(!Sequencer.isNewer("00FF", than: "FF"))
        #expect(!Sequencer.isNewer("FF", than: "00FF"))
        #expect(Sequencer.isNewer("0b", than: "0A"))
        #expect(!Sequencer.isNewer("005990B6C265DBAB7C", than: "005990B6C265DBAB7C"))
    }

    @Test func theClockMakesIncreasingSixteenDigitSequencers() {
        // A clock that stands still, then goes back: sequencers still increase.
        let readings = Mutex<[UInt64]>([0x14E1_1E32_397D_42C4, 0x14E1_1E32_397D_42C4, 5])
        let clock = SequencerClock { readings.withLock { $0.removeFirst() } }
        let sequencers = (0..<3).map { _ in clock.next() }
        #expect(sequencers == ["14E11E32397D42C4", "14E11E32397D42C5", "14E11E32397D42C6"])

        let wallClock = SequencerClock()
        var previous = wallClock.next()
        #expect(previous.count == 16)
        for _ in 0..<1000 {
            let next = wallClock.next()
            #expect(Sequencer.isNewer(next, than: previous))
            previous = next
        }
    }

    @Test func retryDelaysDoubleUpToTheMaximum() {
        let policy = RetryPolicy(maxAttempts: 10, backoff: .seconds(1), maxBackoff: .seconds(300))
        #expect(
            (1...10).map { policy.delay(afterAttempt: $0) }
                == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300].map {
                    Duration.seconds($0)
                })
        let fine = RetryPolicy(maxAttempts: 3, backoff: .milliseconds(250), maxBackoff: .seconds(1))
        #expect(fine.delay(afterAttempt: 2) == .milliseconds(500))
        #expect(fine.delay(afterAttempt: 1000) == .seconds(1))
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
