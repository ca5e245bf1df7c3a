/// The kinds of text `translate` takes, which decide where a text may be split and what is never translated.
enum TextFormat: Sendable, Equatable {
    /// `text/plain`: split at blank lines, then sentences.
    case plain
    /// `text/markdown`: as plain text, and fenced code blocks, inline code and block markers (`#`, `-`, `>`, `1.`)
    /// are kept as they are.
    case markdown
    /// `text/html`: sent in the service's HTML mode; block-level tags, comments and the content of `script`,
    /// `style`, `pre`, `code` and the like are kept as they are, and no request is cut inside a tag.
    case html

    /// The format of `mediaType` (lower-cased, without parameters), nil for a type `translate` does not take.
    init?(mediaType: String) {
        switch mediaType {
        case "text/plain": self = .plain
        case "text/markdown", "text/x-markdown": self = .markdown
        case "text/html": self = .html
        default: return nil
        }
    }
}
