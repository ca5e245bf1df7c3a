extension StringProtocol {
    /// The text in single quotes, fit to quote in an error message a client will read.
    ///
    /// The text comes from the request, so everything but letters, marks, numbers, punctuation, symbols and the
    /// space is escaped (`\u{0}`) to keep the message readable and valid in XML, and long text is cut short.
    public func quotedForMessage(maxCharacters: Int = 80) -> String {
        var quoted = "'"
        for (index, character) in self.enumerated() {
            guard index < maxCharacters else {
                quoted += "..."
                break
            }
            for scalar in character.unicodeScalars {
                quoted += scalar.isReadable ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return quoted + "'"
    }
}

extension Unicode.Scalar {
    fileprivate var isReadable: Bool {
        switch properties.generalCategory {
        case .spaceSeparator: self == " "
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: false
        default: true
        }
    }
}
