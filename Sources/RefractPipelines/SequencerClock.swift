import Foundation
import Synchronization

/// Makes the sequencers of the gateway's own events: strictly increasing within the process.
///
/// A sequencer is the number of nanoseconds since 1970 as 16 upper-case hexadecimal digits, the form MinIO uses,
/// bumped by one when the clock has not moved on (or went back) since the previous one. Gateways sharing a queue
/// agree on the order of their events as far as their clocks agree.
public final class SequencerClock: Sendable {
    private let last = Mutex<UInt64>(0)
    private let nanosecondsSinceEpoch: @Sendable () -> UInt64

    /// A clock reading the system's wall clock.
    public convenience init() {
        self.init { UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000_000)) }
    }

    /// A clock reading `nanosecondsSinceEpoch`.
    public init(nanosecondsSinceEpoch: @escaping @Sendable () -> UInt64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// The next sequencer, newer than every one this clock made before.
    public func next() -> String {
        let now = nanosecondsSinceEpoch()
        let value = last.withLock { last in
            last = max(now, last + 1)
            return last
        }
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
