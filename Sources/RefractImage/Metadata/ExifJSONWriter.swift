/// Writes compact JSON with keys in the order given, so the same metadata always gives the same bytes.
struct ExifJSONWriter {
    private(set) var output = ""
    private var needsComma = false

    /// Writes `{`, the members `body` writes, then `}`.
    mutating func object(_ body: (inout ExifJSONWriter) -> Void) {
        separate()
        output += "{"
        needsComma = false
        body(&self)
        output += "}"
        needsComma = true
    }

    /// Writes `"key":` for the value that follows.
    mutating func key(_ name: String) {
        separate()
        output += Self.quoted(name) + ":"
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        output += Self.quoted(value)
        needsComma = true
    }

    /// Writes `text`, which must already be a JSON number.
    mutating func number(_ text: String) {
        separate()
        output += text
        needsComma = true
    }

    mutating func null() {
        separate()
        output += "null"
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { output += "," }
    }

    /// `value` as a JSON string: quotes, backslashes and control characters escaped as exiftool escapes them.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
