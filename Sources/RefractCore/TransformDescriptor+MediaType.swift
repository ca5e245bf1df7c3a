extension TransformDescriptor {
    /// Whether the transform takes content of `contentType` (`image/png; q=1`), going by ``accepts``.
    ///
    /// Media types compare without their parameters and case-insensitively; `image/*` takes any image type,
    /// `*/*` or an empty list takes everything.
    public func canTake(contentType: String) -> Bool {
        guard !accepts.isEmpty else { return true }
        let mediaType = Self.mediaType(of: contentType)
        return accepts.contains { accepted in
            let accepted = Self.mediaType(of: accepted)
            if accepted == "*/*" { return true }
            if accepted.hasSuffix("/*") { return mediaType.hasPrefix(accepted.dropLast()) }
            return mediaType == accepted
        }
    }

    /// `Image/PNG; charset=x` -> `image/png`. A media type has no whitespace, so any found is padding.
    static func mediaType(of contentType: String) -> String {
        contentType.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }.lowercased()
    }
}
