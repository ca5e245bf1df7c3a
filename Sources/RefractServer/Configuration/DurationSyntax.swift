/// Durations as written in the configuration and on the command line: a number with a unit, `ms`, `s`, `m`,
/// `h` or `d` (`250ms`, `10s`, `1.5m`, `1h`, `1d`), or a plain number of seconds (`10`, `0.5`).
public enum DurationSyntax {
    private static let nanosecondsPerUnit: [String: Double] = [
        "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3_600e9, "d": 86_400e9,
    ]

    /// The duration `text` stands for, or nil when it is not a (non-negative) duration.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingSpaces()
        let unitStart = trimmed.firstIndex { $0.isLetter } ?? trimmed.endIndex
        let number = trimmed[..<unitStart].trimmingSpaces()
        let unit = trimmed[unitStart...].lowercased()
        guard let value = NumberSyntax.decimal(number),
            let multiplier = unit.isEmpty ? 1e9 : nanosecondsPerUnit[unit]
        else { return nil }
        let nanoseconds = (value * multiplier).rounded()
        guard nanoseconds < 0x1p63 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
