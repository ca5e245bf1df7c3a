import Synchronization

/// Makes request ids shaped like S3's: 16 upper-case hex digits, unique within the process and unguessable across
/// restarts (a random start, then a counter).
final class RequestIDGenerator: Sendable {
    private let next = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))

    func make() -> String {
        let value = next.add(1, ordering: .relaxed).newValue
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
