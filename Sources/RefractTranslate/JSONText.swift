import RefractCore

/// What a text costs in a request body, as RefractCore's `jsonQuoted` writes it: requests are measured exactly as
/// they are sent.
enum JSONText {
    /// The bytes `byte` takes inside a JSON string: quote, backslash, newline, return and tab are escaped with a
    /// backslash, other control characters as `\u00XX`, everything else (UTF-8 included) as is.
    static func cost(of byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): 2
        case 0..<0x20: 6
        default: 1
        }
    }

    /// The bytes of `bytes` inside a JSON string, without the quotes.
    static func cost(of bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer(cost(of:))
    }

    /// The bytes `text.jsonQuoted` has, quotes included.
    static func quotedCost(of text: String) -> Int {
        var text = text
        return text.withUTF8(cost(of:)) + 2
    }

    private static func cost(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var total = bytes.count
        for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            total += cost(of: byte) - 1
        }
        return total
    }
}
