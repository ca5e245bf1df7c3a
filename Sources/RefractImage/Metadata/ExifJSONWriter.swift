import RefractCore

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
        output += name.jsonQuoted + ":"
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        output += value.jsonQuoted
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
}
