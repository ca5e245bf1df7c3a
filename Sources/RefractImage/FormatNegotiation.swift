import RefractCore

/// `format:auto`: which of AVIF and WebP a request's `Accept` header names.
enum FormatNegotiation {
    /// The formats `accept` names explicitly, AVIF (when the library has it) before WebP.
    ///
    /// Only an explicit media type counts (`image/*` and `*/*` say nothing about new formats, and every browser that
    /// decodes AVIF or WebP names it); one with `q=0` is refused, as RFC 9110 says.
    static func candidates(accept: String?, hasAVIF: Bool) -> [ImageFormat] {
        let accepted = Set((accept ?? "").split(separator: ",").compactMap(acceptedMediaType))
        var formats: [ImageFormat] = []
        if hasAVIF && accepted.contains("image/avif") { formats.append(.avif) }
        if accepted.contains("image/webp") { formats.append(.webp) }
        return formats
    }

    /// The media type of one `Accept` element, lower-cased, or nil when its weight is 0.
    private static func acceptedMediaType(_ element: Substring) -> String? {
        let parts = element.split(separator: ";").map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
        guard let mediaType = parts.first, !mediaType.isEmpty else { return nil }
        for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
            guard let weight = Double(parameter.dropFirst(2)), weight > 0 else { return nil }
        }
        return mediaType
    }

    /// The output variant `format:auto` gives this request: the format chosen, or `source`.
    static func variant(accept: String?, hasAVIF: Bool) -> OutputVariant {
        let chosen = candidates(accept: accept, hasAVIF: hasAVIF).first?.rawValue ?? "source"
        return OutputVariant(requestHeader: "accept", value: chosen)
    }
}
