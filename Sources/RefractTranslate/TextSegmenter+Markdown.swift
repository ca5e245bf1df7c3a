extension TextSegmenter {
    /// What Markdown keeps at the start of a line: a code fence, a delimiter line (`---`, `===`, `|---|`) or block
    /// markers (`#`, `>`, `-`, `*`, `+`, `1.`); nil when the line starts with none.
    func markdownLineStart(at position: Int, isFinished: Bool) -> Step? {
        var start = position
        while start < text.count, text[start] == UInt8(ascii: " "), start - position < 4 {
            start += 1
        }
        guard start < text.count else { return isFinished ? nil : .needsMore }
        // Four spaces or more: an indented code block or a continuation line, scanned as text.
        guard start - position < 4 else { return nil }
        let byte = text[start]
        if byte == UInt8(ascii: "`") || byte == UInt8(ascii: "~"),
            let step = fenceOpening(at: position, markerAt: start, isFinished: isFinished)
        {
            return step
        }
        if let step = delimiterLine(at: position, from: start, isFinished: isFinished) { return step }
        return blockMarkers(at: position, from: start, isFinished: isFinished)
    }

    /// A line of three backticks or tildes or more opens a fenced code block, kept whole up to its closing fence.
    private func fenceOpening(at position: Int, markerAt start: Int, isFinished: Bool) -> Step? {
        let marker = text[start]
        var end = start
        while end < text.count, text[end] == marker {
            end += 1
        }
        if end == text.count, !isFinished { return .needsMore }
        let length = end - start
        guard length >= 3 else { return nil }
        let lineFeed = index(of: UInt8(ascii: "\n"), from: end)
        if marker == UInt8(ascii: "`") {
            // A backtick in the info string makes the line inline code, not a fence.
            if lineFeed == nil, !isFinished, text.count - end < Self.lookaheadLimit { return .needsMore }
            if text[end..<(lineFeed ?? text.count)].contains(UInt8(ascii: "`")) { return nil }
        }
        let lineEnd = lineFeed.map { $0 + 1 } ?? text.count
        return .verbatim(
            lineEnd - position,
            then: .fence(marker: marker, length: length, isAtLineStart: lineFeed != nil)
        )
    }

    /// A line of `-`, `*`, `_`, `=`, `|`, `:` and `+` (a thematic break, a setext underline, a table's delimiter
    /// row), kept as it is so that it never joins the text above it.
    private func delimiterLine(at position: Int, from start: Int, isFinished: Bool) -> Step? {
        var end = start
        var marks = 0
        while end < text.count, text[end] != UInt8(ascii: "\n"), end - start < Self.lookaheadLimit {
            switch text[end] {
            case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "="): marks += 1
            case UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: " "), UInt8(ascii: "\t"),
                UInt8(ascii: "\r"):
                break
            default: return nil
            }
            end += 1
        }
        if end == text.count, !isFinished, end - start < Self.lookaheadLimit { return .needsMore }
        return marks >= 3 ? .verbatim(end - position, then: nil) : nil
    }

    /// Block markers, nested as they come (`> - `), with the blanks after them.
    private func blockMarkers(at position: Int, from start: Int, isFinished: Bool) -> Step? {
        var end = start
        markers: while true {
            switch markerLength(at: end) {
            case .marker(let length): end += length
            case .none: break markers
            case .needsMore:
                if isFinished { break markers }
                return .needsMore
            }
        }
        return end > start ? .verbatim(end - position, then: nil) : nil
    }

    private enum MarkerMatch {
        case marker(Int)
        case none
        case needsMore
    }

    private func markerLength(at start: Int) -> MarkerMatch {
        guard start < text.count else { return .needsMore }
        switch text[start] {
        case UInt8(ascii: ">"):
            return .marker(1 + blanks(from: start + 1))
        case UInt8(ascii: "#"):
            var end = start
            while end < text.count, text[end] == UInt8(ascii: "#") {
                end += 1
            }
            guard end < text.count else { return .needsMore }
            guard end - start <= 6 else { return .none }
            switch text[end] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"): return .marker(end - start + blanks(from: end))
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return .marker(end - start)
            default: return .none
            }
        case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+"):
            return marker(from: start, blankAt: start + 1)
        case let byte where byte.isASCIIDigit:
            var end = start
            while end < text.count, text[end].isASCIIDigit {
                end += 1
            }
            guard end < text.count else { return .needsMore }
            guard end - start <= 9, text[end] == UInt8(ascii: ".") || text[end] == UInt8(ascii: ")") else {
                return .none
            }
            return marker(from: start, blankAt: end + 1)
        default:
            return .none
        }
    }

    /// The marker `text[start..<end]` with the blanks after it, when a blank follows it.
    private func marker(from start: Int, blankAt end: Int) -> MarkerMatch {
        guard end < text.count else { return .needsMore }
        guard text[end] == UInt8(ascii: " ") || text[end] == UInt8(ascii: "\t") else { return .none }
        return .marker(end - start + blanks(from: end))
    }

    private func blanks(from start: Int) -> Int {
        var end = start
        while end < text.count, text[end] == UInt8(ascii: " ") || text[end] == UInt8(ascii: "\t") {
            end += 1
        }
        return end - start
    }

    /// A backtick run opens inline code when the same number of backticks closes it before the paragraph ends;
    /// the code, backticks included, is kept. Otherwise the backticks are text.
    func inlineCode(at position: Int, isFinished: Bool) -> Step {
        var end = position
        while end < text.count, text[end] == UInt8(ascii: "`") {
            end += 1
        }
        if end == text.count, !isFinished { return .needsMore }
        let length = end - position
        var index = end
        var blankLineStart: Int?
        while index < text.count, index - position < Self.lookaheadLimit {
            let byte = text[index]
            if byte == UInt8(ascii: "`") {
                var closing = index
                while closing < text.count, text[closing] == UInt8(ascii: "`") {
                    closing += 1
                }
                if closing == text.count, !isFinished { return .needsMore }
                if closing - index == length { return .verbatim(closing - position, then: nil) }
                index = closing
                blankLineStart = nil
                continue
            }
            if byte == UInt8(ascii: "\n") {
                // A second line feed with only blanks since the first: the paragraph ends, unclosed.
                if blankLineStart != nil { return .run(length) }
                blankLineStart = index
            } else if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t"), byte != UInt8(ascii: "\r") {
                blankLineStart = nil
            }
            index += 1
        }
        if isFinished || index - position >= Self.lookaheadLimit { return .run(length) }
        return .needsMore
    }
}
