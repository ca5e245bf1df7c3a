/// Byte counts as written in the configuration: a number of bytes (`8000`) or a number with a unit, decimal
/// (`kB`, `MB`, `GB`, `TB`: powers of 1000) or binary (`KiB`, `MiB`, `GiB`, `TiB`: powers of 1024).
/// Units are matched without regard to case; a space may separate them from the number.
public enum ByteCountSyntax {
    private static let units: [String: Double] = [
        "b": 1,
        "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
    ]

    /// The number of bytes `text` stands for, or nil when it is not a byte count (or not a whole number of bytes).
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces()
        let unitStart = trimmed.firstIndex { $0.isLetter } ?? trimmed.endIndex
        let number = trimmed[..<unitStart].trimmingSpaces()
        let unit = trimmed[unitStart...].lowercased()
        guard let value = NumberSyntax.decimal(number), let multiplier = unit.isEmpty ? 1 : units[unit] else {
            return nil
        }
        let bytes = value * multiplier
        guard bytes == bytes.rounded(.down), bytes < 0x1p63 else { return nil }
        return Int(bytes)
    }
}
