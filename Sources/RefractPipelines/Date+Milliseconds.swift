import Foundation

extension Date {
    /// Whole milliseconds since 1970: how the queues store times.
    var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded(.down))
    }

    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// This date moved on by `duration`.
    func adding(_ duration: Duration) -> Date {
        Date(millisecondsSince1970: millisecondsSince1970 + duration.milliseconds)
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
