extension EnvironmentExpansion {
    /// The private-use block that shielded ASCII characters are moved to (`{` becomes U+E07B).
    private static let shieldBase: UInt32 = 0xE000

    /// `yaml` with the punctuation inside each `${...}` swapped for private-use characters, so that YAML reads a
    /// reference as part of a plain scalar everywhere.
    ///
    /// In a flow mapping YAML ends a plain scalar at `{`, `}` and `,`, so `{access_key_id: ${S3_KEY}}`, as SPEC §3
    /// writes it, would not parse. Characters are swapped one for one, so lines and columns stay right; quotes
    /// and backslashes are kept, so quoted scalars end and escape as written. ``unshield(_:)`` swaps back.
    static func shield(_ yaml: String) -> String {
        guard yaml.contains("${") else { return yaml }
        var result = String.UnicodeScalarView()
        let scalars = Array(yaml.unicodeScalars)
        var index = 0
        while index < scalars.count {
            result.append(scalars[index])
            guard scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{",
                let close = scalars[(index + 1)...].firstIndex(where: { $0 == "}" || $0 == "\n" }),
                scalars[close] == "}"
            else {
                index += 1
                continue
            }
            for scalar in scalars[(index + 1)...close] {
                result.append(isShielded(scalar) ? Unicode.Scalar(shieldBase + scalar.value)! : scalar)
            }
            index = close + 1
        }
        return String(result)
    }

    /// `text` with the characters ``shield(_:)`` swapped restored.
    static func unshield(_ text: String) -> String {
        let range = shieldBase..<(shieldBase + 0x80)
        guard text.unicodeScalars.contains(where: { range.contains($0.value) }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(range.contains(scalar.value) ? Unicode.Scalar(scalar.value - shieldBase)! : scalar)
        }
        return String(result)
    }

    private static func isShielded(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && !scalar.isASCIILetterOrDigit && !"_\"'\\".unicodeScalars.contains(scalar)
    }
}
