import Foundation

/// The text forms exiftool gives values: exiftool is Perl, and its `-n` output is Perl's rendering of numbers and
/// byte strings, so matching it tag by tag means rendering the way Perl does.
enum ExiftoolText {
    /// A number as Perl prints it (`%.15g`, `Inf`, `NaN`; negative zero prints as `0`).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "Inf" }
        if value == 0 { return "0" }
        return String(format: "%.15g", value)
    }

    /// `value` rounded to `digits` significant digits, as exiftool's `RoundFloat` does for rationals.
    static func rounded(_ value: Double, significantDigits digits: Int) -> String {
        String(format: "%.\(digits)g", value)
    }

    /// The number at the start of `text`, as Perl reads a string in numeric context (0 when there is none).
    static func numericValue(_ text: [UInt8]) -> Double {
        var index = text.startIndex
        while index < text.endIndex, isSpace(text[index]) { index += 1 }
        let rest = text[index...]
        if let special = infinityOrNaN(rest) { return special }
        guard let match = leadingNumber(in: rest) else { return 0 }
        return Double(String(decoding: rest[match], as: UTF8.self)) ?? 0
    }

    /// Whether `text` is a plain decimal number, as exiftool's `IsFloat` decides.
    static func isFloat(_ text: [UInt8]) -> Bool {
        guard let match = leadingNumber(in: text[...], exponentSignRequired: false) else { return false }
        return match.upperBound == text.endIndex
    }

    /// Every number in `text`, as `ToDegrees` pulls them out of "d m s" or any other garbage.
    static func numbers(in text: [UInt8]) -> [Double] {
        var found: [Double] = []
        var index = text.startIndex
        while index < text.endIndex {
            if let match = leadingNumber(in: text[index...], exponentSignRequired: true) {
                found.append(Double(String(decoding: text[match], as: UTF8.self)) ?? 0)
                index = max(match.upperBound, index + 1)
            } else {
                index += 1
            }
        }
        return found
    }

    /// Whether exiftool's JSON writer prints `text` bare, as a number.
    static func looksLikeJSONNumber(_ text: [UInt8]) -> Bool {
        var index = 0
        func digits(max limit: Int) -> Int {
            var count = 0
            while index < text.count, count < limit + 1, isDigit(text[index]) {
                index += 1
                count += 1
            }
            return count
        }
        if index < text.count, text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < text.count, isDigit(text[index]) else { return false }
        if text[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits(max: 15) <= 15 else { return false }
        }
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            let count = digits(max: 16)
            guard count >= 1, count <= 16 else { return false }
        }
        if index < text.count, text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") { index += 1 }
            let count = digits(max: 3)
            guard count >= 1, count <= 3 else { return false }
        }
        return index == text.count
    }

    /// `bytes` as valid UTF-8 the way exiftool's `FixUTF8` makes it: every byte that does not belong to a well-formed
    /// character (overlong forms, surrogates, U+FFFE and U+FFFF included) becomes `?`.
    static func fixedUTF8(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                output.append(lead)
                index += 1
                continue
            }
            let length = wellFormedLength(bytes, at: index)
            if length > 0 {
                output.append(contentsOf: bytes[index..<(index + length)])
                index += length
            } else {
                output.append(UInt8(ascii: "?"))
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The UTF-8 bytes of a Unicode code point, surrogates included, as Perl's `pack("U")` writes them.
    static func utf8Bytes(ofCodePoint value: UInt32) -> [UInt8] {
        switch value {
        case 0..<0x80:
            return [UInt8(value)]
        case 0x80..<0x800:
            return [UInt8(0xC0 | (value >> 6)), UInt8(0x80 | (value & 0x3F))]
        case 0x800..<0x10000:
            return [UInt8(0xE0 | (value >> 12)), UInt8(0x80 | ((value >> 6) & 0x3F)), UInt8(0x80 | (value & 0x3F))]
        default:
            return [
                UInt8(0xF0 | ((value >> 18) & 0x07)), UInt8(0x80 | ((value >> 12) & 0x3F)),
                UInt8(0x80 | ((value >> 6) & 0x3F)), UInt8(0x80 | (value & 0x3F)),
            ]
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Perl's `\s`: space, tab, newline, vertical tab, form feed, carriage return.
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    private static func wellFormedLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        guard lead >= 0xC2, lead < 0xF8 else { return 0 }
        let continuation = lead < 0xE0 ? 1 : (lead < 0xF0 ? 2 : 3)
        guard index + continuation < bytes.count else { return 0 }
        for offset in 1...continuation where bytes[index + offset] & 0xC0 != 0x80 { return 0 }
        let second = bytes[index + 1]
        switch continuation {
        case 2:
            if lead == 0xE0 && second & 0xE0 == 0x80 { return 0 }
            if lead == 0xED && second & 0xE0 == 0xA0 { return 0 }
            if lead == 0xEF && second == 0xBF && bytes[index + 2] & 0xFE == 0xBE { return 0 }
        case 3:
            if lead == 0xF0 && second & 0xF0 == 0x80 { return 0 }
            if (lead == 0xF4 && second > 0x8F) || lead > 0xF4 { return 0 }
        default:
            break
        }
        return continuation + 1
    }

    private static func infinityOrNaN(_ text: ArraySlice<UInt8>) -> Double? {
        var index = text.startIndex
        var negative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        let word = String(decoding: text[index...].prefix(3), as: UTF8.self).lowercased()
        switch word {
        case "inf": return negative ? -.infinity : .infinity
        case "nan": return .nan
        default: return nil
        }
    }

    /// The range of the number at the start of `text`: `[+-]?(?=\d|\.\d)\d*(\.\d*)?([Ee][+-]?\d+)?`.
    private static func leadingNumber(in text: ArraySlice<UInt8>, exponentSignRequired: Bool = false) -> Range<Int>? {
        var index = text.startIndex
        if index < text.endIndex, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            index += 1
        }
        let mantissaStart = index
        while index < text.endIndex, isDigit(text[index]) { index += 1 }
        var hasDigits = index > mantissaStart
        if index < text.endIndex, text[index] == UInt8(ascii: ".") {
            let afterPoint = index + 1
            var end = afterPoint
            while end < text.endIndex, isDigit(text[end]) { end += 1 }
            if hasDigits || end > afterPoint {
                hasDigits = true
                index = end
            }
        }
        guard hasDigits else { return nil }
        if index < text.endIndex, text[index] | 0x20 == UInt8(ascii: "e") {
            var end = index + 1
            let hasSign = end < text.endIndex && (text[end] == UInt8(ascii: "+") || text[end] == UInt8(ascii: "-"))
            if hasSign { end += 1 }
            let exponentStart = end
            while end < text.endIndex, isDigit(text[end]) { end += 1 }
            if end > exponentStart && (hasSign || !exponentSignRequired) { index = end }
        }
        return text.startIndex..<index
    }
}
