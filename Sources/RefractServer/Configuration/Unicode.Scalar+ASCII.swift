extension Unicode.Scalar {
    /// `a-z`, `A-Z` or `0-9`: the characters names are made of, whatever the locale.
    var isASCIILetterOrDigit: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
