/// Cuts UTF-8 text into the pieces `translate` keeps or sends, as the text streams in.
///
/// The pieces, put back together, are the text byte for byte. Translatable pieces are the runs of text between
/// paragraph breaks (blank lines) and the parts the format keeps untranslated (see ``TextFormat``), with their
/// leading and trailing whitespace kept aside as verbatim pieces, so that the whitespace and line structure
/// between segments survives whatever the service does with it. A run longer than one request allows (measured as
/// a JSON string, see ``JSONText``) is cut at the last sentence end in the second half of what fits, else at a line
/// break, else between words, else between two characters (grapheme clusters: never inside a UTF-8 sequence, an
/// emoji sequence or a combining sequence), and never inside an HTML tag or character reference.
///
/// Memory stays bounded: at most a run that fits one request plus what is needed to recognise the next token is
/// held, never more than ``lookaheadLimit`` bytes of it; code blocks, comments and other verbatim elements pass
/// through as they arrive, however long they are.
struct TextSegmenter {
    let format: TextFormat
    /// The most bytes one translatable piece may take as a JSON string, quotes included.
    let pieceBudget: Int
    /// The most bytes held to decide what a token is (whether backticks close, where a tag ends); past it, the
    /// bytes are taken as text (or, for a tag, as markup).
    static let lookaheadLimit = 64 << 10

    /// Text received and not yet handed out as pieces, from `runStart` on.
    var text: [UInt8] = []
    /// Where the current translatable run starts; everything before it has been handed out.
    var runStart = 0
    /// Where the scan has got to: `text[runStart..<runEnd]` is the current run.
    var runEnd = 0
    /// The JSON cost of the current run, without quotes.
    private var runCost = 0
    /// A verbatim element whose end has not been seen yet.
    var open: OpenElement?
    /// Whether the byte before `text[0]` ended a line (true at the start of the text).
    private var lineEndsBeforeText = true
    private var pieces: [TextPiece] = []

    init(format: TextFormat, pieceBudget: Int) {
        self.format = format
        self.pieceBudget = pieceBudget
    }

    /// A verbatim element the scan is inside of, waiting for its end.
    enum OpenElement: Equatable {
        /// Inside a tag; after it, a raw text element (`<script>`) goes on until `rawTextEnd` (`</script`).
        case tag(TagScan, rawTextEnd: [UInt8]?)
        /// The content of a raw text element, up to `end` (`</script`, matched ignoring case).
        case rawText(end: [UInt8])
        /// A comment, CDATA section, doctype or processing instruction, up to `end`.
        case markup(end: [UInt8])
        /// A fenced code block opened by `length` times `marker`; `isAtLineStart` when the scan is at the start
        /// of one of its lines.
        case fence(marker: UInt8, length: Int, isAtLineStart: Bool)
    }

    /// What the bytes at a position are.
    enum Step: Equatable {
        /// Too few bytes to tell: wait for more text.
        case needsMore
        /// That many bytes belong to the current run.
        case run(Int)
        /// That many bytes are kept as they are, and then the scan is inside `element` (when there is one).
        case verbatim(Int, then: OpenElement?)
    }

    /// Takes the next bytes of the text (whole UTF-8 characters) and returns the pieces they complete.
    mutating func append(_ bytes: [UInt8]) -> [TextPiece] {
        if runStart > 0 {
            lineEndsBeforeText = text[runStart - 1] == UInt8(ascii: "\n")
            text.removeSubrange(0..<runStart)
            runEnd -= runStart
            runStart = 0
        }
        text.append(contentsOf: bytes)
        scan(isFinished: false)
        return takePieces()
    }

    /// Ends the text and returns the pieces that are left.
    mutating func finish() -> [TextPiece] {
        scan(isFinished: true)
        emitRun(upTo: runEnd)
        return takePieces()
    }

    private mutating func takePieces() -> [TextPiece] {
        defer { pieces.removeAll(keepingCapacity: true) }
        return pieces
    }

    private mutating func scan(isFinished: Bool) {
        while true {
            if let element = open {
                guard scanOpenElement(element, isFinished: isFinished) else { return }
                continue
            }
            guard runEnd < text.count else { return }
            switch step(at: runEnd, isFinished: isFinished) {
            case .needsMore:
                return
            case .run(let length):
                runCost += JSONText.cost(of: text[runEnd..<runEnd + length])
                runEnd += length
                while runCost + 2 > pieceBudget {
                    cutRun()
                }
            case .verbatim(let length, let element):
                emitRun(upTo: runEnd)
                emitVerbatim(upTo: runEnd + length)
                open = element
            }
        }
    }

    private func step(at position: Int, isFinished: Bool) -> Step {
        if format == .markdown, isAtLineStart(position),
            let step = markdownLineStart(at: position, isFinished: isFinished)
        {
            return step
        }
        let byte = text[position]
        if byte.isASCIIWhitespace { return whitespace(at: position, isFinished: isFinished) }
        switch format {
        case .plain:
            return .run(textLength(at: position) { _ in false })
        case .markdown:
            if byte == UInt8(ascii: "`") { return inlineCode(at: position, isFinished: isFinished) }
            return .run(textLength(at: position) { $0 == UInt8(ascii: "`") })
        case .html:
            if byte == UInt8(ascii: "<") { return markup(at: position, isFinished: isFinished) }
            return .run(textLength(at: position) { $0 == UInt8(ascii: "<") })
        }
    }

    /// The bytes from `position` up to the end of the line or the next byte `stops` at, at least one character:
    /// only line feeds (paragraph breaks, Markdown line starts) and those bytes can end a run.
    private func textLength(at position: Int, stops: (UInt8) -> Bool) -> Int {
        var end = position + text[position].utf8SequenceLength
        while end < text.count, text[end] != UInt8(ascii: "\n"), !stops(text[end]) {
            end += 1
        }
        return end - position
    }

    /// A run of whitespace: a paragraph break when it holds two line feeds or more. It ends after its last line
    /// feed, so that the next line's indentation is scanned at the start of its line.
    private func whitespace(at position: Int, isFinished: Bool) -> Step {
        var end = position
        var lineFeeds = 0
        var afterLastLineFeed: Int?
        while end < text.count, text[end].isASCIIWhitespace, end - position < Self.lookaheadLimit {
            if text[end] == UInt8(ascii: "\n") {
                lineFeeds += 1
                afterLastLineFeed = end + 1
            }
            end += 1
        }
        if end == text.count, !isFinished, end - position < Self.lookaheadLimit { return .needsMore }
        let length = (afterLastLineFeed ?? end) - position
        return lineFeeds >= 2 ? .verbatim(length, then: nil) : .run(length)
    }

    func isAtLineStart(_ position: Int) -> Bool {
        position == 0 ? lineEndsBeforeText : text[position - 1] == UInt8(ascii: "\n")
    }

    /// The index of the first `byte` at or after `position`.
    func index(of byte: UInt8, from position: Int) -> Int? {
        text[position...].firstIndex(of: byte)
    }

    // MARK: - Handing out pieces

    /// Hands out `text[runStart..<end]`: its leading and trailing whitespace, and a text without letters, as
    /// verbatim pieces; the rest as one translatable piece.
    mutating func emitRun(upTo end: Int) {
        runCost = end == runEnd ? 0 : runCost - JSONText.cost(of: text[runStart..<end])
        var lower = runStart
        var upper = end
        while lower < upper, text[lower].isASCIIWhitespace { lower += 1 }
        while upper > lower, text[upper - 1].isASCIIWhitespace { upper -= 1 }
        appendVerbatim(runStart..<lower)
        if lower < upper {
            if hasLetters(lower..<upper) {
                pieces.append(.translatable(String(decoding: text[lower..<upper], as: UTF8.self)))
            } else {
                appendVerbatim(lower..<upper)
            }
        }
        appendVerbatim(upper..<end)
        runStart = end
    }

    /// Hands out `text[runStart..<end]` as kept bytes; the run must be empty.
    mutating func emitVerbatim(upTo end: Int) {
        appendVerbatim(runStart..<end)
        runStart = end
        runEnd = end
        runCost = 0
    }

    private mutating func appendVerbatim(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if case .verbatim(var bytes) = pieces.last {
            pieces.removeLast()
            bytes.append(contentsOf: text[range])
            pieces.append(.verbatim(bytes))
        } else {
            pieces.append(.verbatim(Array(text[range])))
        }
    }

    /// Whether the text has a letter outside markup: digits, punctuation and symbols alone are not translated.
    private func hasLetters(_ range: Range<Int>) -> Bool {
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = text[position]
            if format == .html, let end = markupEnd(at: position, before: range.upperBound) {
                position = end
                continue
            }
            if byte < 0x80 {
                if byte.isASCIILetter { return true }
                position += 1
                continue
            }
            let length = min(byte.utf8SequenceLength, range.upperBound - position)
            let character = String(decoding: text[position..<position + length], as: UTF8.self)
            if character.unicodeScalars.contains(where: \.properties.isAlphabetic) { return true }
            position += length
        }
        return false
    }

    /// The end of the tag or character reference at `position`, when one starts there and ends before `limit`.
    private func markupEnd(at position: Int, before limit: Int) -> Int? {
        let byte = text[position]
        let end: Int?
        if byte == UInt8(ascii: "<") {
            end = index(of: UInt8(ascii: ">"), from: position)
        } else if byte == UInt8(ascii: "&") {
            end = text[position..<min(limit, position + 32)].firstIndex(of: UInt8(ascii: ";"))
        } else {
            end = nil
        }
        guard let end, end < limit else { return nil }
        return end + 1
    }
}
