/// A tag's value as `exiftool -json -n` gives it.
public enum ExifValue: Sendable, Hashable {
    /// A number, kept in exiftool's own text so that it prints exactly as exiftool prints it (`0.004`, `1e-05`).
    case number(String)
    /// Text: strings, and the values exiftool prints as text (lists such as `"2 3 0 0"`, `"inf"`, versions).
    case text(String)
    /// Data exiftool does not print, only measures: rendered as exiftool's `(Binary data N bytes, …)`.
    case binary(byteCount: Int)

    /// The value as exiftool's JSON shows it (a number is its text).
    public var displayText: String {
        switch self {
        case .number(let text), .text(let text): text
        case .binary(let byteCount): "(Binary data \(byteCount) bytes, use -b option to extract)"
        }
    }

    /// The value as a number, when it is one.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// Classifies exiftool's text of a value the way exiftool's JSON writer does: a number when it looks like one,
    /// otherwise text with its NULs removed and invalid UTF-8 replaced.
    init(exiftoolText text: [UInt8]) {
        if ExiftoolText.looksLikeJSONNumber(text) {
            self = .number(String(decoding: text, as: UTF8.self))
        } else {
            self = .text(ExiftoolText.fixedUTF8(text.filter { $0 != 0 }))
        }
    }
}
