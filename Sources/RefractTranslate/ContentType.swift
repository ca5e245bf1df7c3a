/// A `Content-Type` value taken apart: its media type and its `charset` parameter.
struct ContentType: Equatable {
    /// `text/markdown`, lower-cased, without parameters.
    var mediaType: String
    /// The `charset` parameter, lower-cased and unquoted; nil when there is none.
    var charset: String?

    init(_ value: String) {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        mediaType = parts.first.map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() } ?? ""
        charset = nil
        for parameter in parts.dropFirst() {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let name = parameter[..<equals].trimmingASCIIWhitespace().lowercased()
            guard name == "charset" else { continue }
            var charsetValue = parameter[parameter.index(after: equals)...].trimmingASCIIWhitespace()
            if charsetValue.count >= 2, charsetValue.hasPrefix("\""), charsetValue.hasSuffix("\"") {
                charsetValue = charsetValue.dropFirst().dropLast()
            }
            charset = charsetValue.lowercased()
        }
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
