/// The numbers written in the configuration: digits, optionally grouped with `_` (`50_000_000`), with an
/// optional fraction where the caller allows one.
enum NumberSyntax {
    /// A whole number with an optional leading `-` or `+`.
    static func integer(_ text: String) -> Int? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard isDigitGroups(digits), let magnitude = Int(digits.filter { $0 != "_" }) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// A non-negative decimal number such as `10`, `0.25` or `1_000.5`.
    static func decimal(_ text: Substring) -> Double? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard isDigitGroups(parts[0]), parts.count == 1 || parts[1].allSatisfy(\.isASCIIDigit) && !parts[1].isEmpty
        else { return nil }
        return Double(text.filter { $0 != "_" })
    }

    /// `1`, `1000`, `1_000`: digits, with single underscores only between them.
    private static func isDigitGroups(_ text: Substring) -> Bool {
        guard let first = text.first, let last = text.last, first.isASCIIDigit, last.isASCIIDigit else {
            return false
        }
        return text.allSatisfy { $0.isASCIIDigit || $0 == "_" } && !text.contains("__")
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return Substring()
        }
        return Substring(self[start...end])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
