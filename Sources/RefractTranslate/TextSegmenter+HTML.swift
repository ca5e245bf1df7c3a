extension TextSegmenter {
    /// Elements whose content is never translated: kept whole, from the start tag to the end tag.
    static let rawTextElements: Set<String> = [
        "script", "style", "pre", "code", "kbd", "samp", "textarea", "svg", "math",
    ]

    /// Elements that end a run of text: their tags are kept as they are and never sent. Tags of other elements
    /// (`a`, `b`, `em`, `span`, ...) are sent with the text around them, in the service's HTML mode.
    static let blockElements: Set<String> = [
        "address", "area", "article", "aside", "audio", "base", "blockquote", "body", "br", "button", "canvas",
        "caption", "center", "col", "colgroup", "dd", "details", "dialog", "div", "dl", "dt", "embed", "fieldset",
        "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
        "header", "hgroup", "hr", "html", "iframe", "input", "legend", "li", "link", "main", "menu", "meta", "nav",
        "noscript", "object", "ol", "optgroup", "option", "p", "picture", "section", "select", "source", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul", "video",
    ]

    /// What starts at a `<`: a comment, doctype, CDATA section or processing instruction (kept), a block-level or
    /// raw text element's tag (kept), an inline tag (part of the run, whole), or a plain `<` (text).
    func markup(at position: Int, isFinished: Bool) -> Step {
        guard position + 1 < text.count else { return isFinished ? .run(1) : .needsMore }
        switch text[position + 1] {
        case UInt8(ascii: "!"):
            for (opening, end) in [("<!--", "-->"), ("<![CDATA[", "]]>")] {
                let opening = Array(opening.utf8)
                if text[position...].starts(with: opening) {
                    return .verbatim(opening.count, then: .markup(end: Array(end.utf8)))
                }
                let available = text.count - position
                if available < opening.count, !isFinished, opening.starts(with: text[position...]) {
                    return .needsMore
                }
            }
            return .verbatim(2, then: .markup(end: [UInt8(ascii: ">")]))
        case UInt8(ascii: "?"):
            return .verbatim(2, then: .markup(end: [UInt8(ascii: ">")]))
        default:
            return tag(at: position, isFinished: isFinished)
        }
    }

    private func tag(at position: Int, isFinished: Bool) -> Step {
        let isEndTag = text[position + 1] == UInt8(ascii: "/")
        let nameStart = position + (isEndTag ? 2 : 1)
        guard nameStart < text.count else { return isFinished ? .run(nameStart - position) : .needsMore }
        guard text[nameStart].isASCIILetter else { return .run(1) }
        var nameEnd = nameStart
        while nameEnd < text.count, Self.isTagNameByte(text[nameEnd]) {
            nameEnd += 1
        }
        if nameEnd == text.count, !isFinished { return .needsMore }
        let name = String(decoding: text[nameStart..<nameEnd], as: UTF8.self).lowercased()
        if !isEndTag, Self.rawTextElements.contains(name) {
            return .verbatim(nameEnd - position, then: .tag(TagScan(), rawTextEnd: Array("</\(name)".utf8)))
        }
        if Self.blockElements.contains(name) {
            return .verbatim(nameEnd - position, then: .tag(TagScan(), rawTextEnd: nil))
        }
        var scan = TagScan()
        var end = nameEnd
        while end < text.count {
            let byte = text[end]
            end += 1
            if scan.ends(at: byte) {
                // A tag too long to travel with text (a data: URL) is kept, so that it never fills a request.
                let length = end - position
                return length > pieceBudget / 4 ? .verbatim(length, then: nil) : .run(length)
            }
        }
        if isFinished { return .verbatim(text.count - position, then: nil) }
        if text.count - position >= Self.lookaheadLimit {
            return .verbatim(text.count - position, then: .tag(scan, rawTextEnd: nil))
        }
        return .needsMore
    }

    private static func isTagNameByte(_ byte: UInt8) -> Bool {
        byte.isASCIILetter || byte.isASCIIDigit || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
    }
}

/// Where a scan through a tag is: whether it is inside a quoted attribute value, so that a `>` there does not end
/// the tag.
struct TagScan: Equatable {
    private var quote: UInt8?
    private var followsEquals = false

    /// Takes the next byte of the tag; true when it is the `>` that ends the tag.
    mutating func ends(at byte: UInt8) -> Bool {
        if let quote {
            if byte == quote { self.quote = nil }
            return false
        }
        switch byte {
        case UInt8(ascii: ">"):
            return true
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if followsEquals { quote = byte }
            followsEquals = false
        case UInt8(ascii: "="):
            followsEquals = true
        case let blank where blank.isASCIIWhitespace:
            break
        default:
            followsEquals = false
        }
        return false
    }
}
