/// Language codes as users write them in a step (`fr`, `pt-BR`, `zh-Hans`) and as `Content-Language` carries them.
enum LanguageTag {
    /// Whether `code` looks like a language code: a language of two or three letters, then subtags of letters and
    /// digits (`en`, `pt-BR`, `zh-Hans`). Whether the service knows it is for the service to say.
    static func isWellFormed(_ code: String) -> Bool {
        let subtags = code.split(separator: "-", omittingEmptySubsequences: false)
        guard code.utf8.count <= 35, let language = subtags.first, (2...3).contains(language.utf8.count),
            language.utf8.allSatisfy(\.isASCIILetter)
        else { return false }
        return subtags.dropFirst().allSatisfy { subtag in
            (1...8).contains(subtag.utf8.count) && subtag.utf8.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit }
        }
    }

    /// `code` in the case BCP 47 recommends: `en-US` for DeepL's `EN-US`, `zh-Hans` for `ZH-HANS`.
    static func conventionalCase(_ code: String) -> String {
        code.split(separator: "-", omittingEmptySubsequences: false).enumerated().map { index, subtag in
            if index == 0 { return subtag.lowercased() }
            switch subtag.count {
            case 2: return subtag.uppercased()
            case 4: return subtag.prefix(1).uppercased() + subtag.dropFirst().lowercased()
            default: return subtag.lowercased()
            }
        }.joined(separator: "-")
    }
}
