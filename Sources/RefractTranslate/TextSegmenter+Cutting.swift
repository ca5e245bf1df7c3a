extension TextSegmenter {
    /// Hands out the longest start of the current run that fits one piece, cut where a reader would cut it.
    mutating func cutRun() {
        var limit = runStart
        var cost = 2
        while limit < runEnd {
            let byteCost = JSONText.cost(of: text[limit])
            guard cost + byteCost <= pieceBudget else { break }
            cost += byteCost
            limit += 1
        }
        while limit > runStart, text[limit].isUTF8Continuation {
            limit -= 1
        }
        emitRun(upTo: cutPoint(before: limit))
    }

    /// Where to cut `text[runStart..<limit]`: the last sentence end in its second half, else the last line break
    /// there, else the last blank there, else the last of any of them, else the last character boundary.
    private func cutPoint(before limit: Int) -> Int {
        var lastSentenceEnd: Int?
        var lastLineBreak: Int?
        var lastBlank: Int?
        var tagScan: TagScan?
        var index = runStart
        while index < limit {
            let byte = text[index]
            if var scan = tagScan {
                tagScan = scan.ends(at: byte) ? nil : scan
                index += 1
                continue
            }
            if format == .html, opensTag(at: index) {
                tagScan = TagScan()
            } else if byte.isASCIIWhitespace {
                if index > runStart {
                    lastBlank = index
                    if byte == UInt8(ascii: "\n") { lastLineBreak = index }
                }
            } else if let end = sentenceEnd(at: index), end <= limit {
                lastSentenceEnd = end
            }
            index += 1
        }
        let half = runStart + (limit - runStart) / 2
        let candidates = [lastSentenceEnd, lastLineBreak, lastBlank].compactMap { $0 }
        if let preferred = candidates.first(where: { $0 >= half }) ?? candidates.max() {
            return preferred
        }
        return characterBoundary(before: limit)
    }

    private func opensTag(at index: Int) -> Bool {
        guard text[index] == UInt8(ascii: "<"), index + 1 < text.count else { return false }
        let next = text[index + 1]
        return next.isASCIILetter || next == UInt8(ascii: "/")
    }

    /// The end of a sentence whose last mark is at `index`: after the mark and any closing quotes or brackets,
    /// where a blank follows (`.`, `!`, `?`, `…`) or at once (`。`, `！`, `？`).
    private func sentenceEnd(at index: Int) -> Int? {
        let byte = text[index]
        let needsBlank: Bool
        var end: Int
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"):
            needsBlank = true
            end = index + 1
        default:
            guard let mark = Self.sentenceMarks.first(where: { text[index...].starts(with: $0.bytes) }) else {
                return nil
            }
            needsBlank = mark.needsBlank
            end = index + mark.bytes.count
        }
        while let closer = Self.closers.first(where: { text[end...].starts(with: $0) }) {
            end += closer.count
        }
        if needsBlank {
            guard end < text.count, text[end].isASCIIWhitespace else { return nil }
        }
        return end
    }

    private static let sentenceMarks: [(bytes: [UInt8], needsBlank: Bool)] = [
        (Array("…".utf8), true), (Array("。".utf8), false), (Array("！".utf8), false), (Array("？".utf8), false),
    ]

    private static let closers: [[UInt8]] = ["\"", "'", ")", "]", "”", "’", "»", "」", "』", "）"].map { Array($0.utf8) }

    /// The last boundary between two characters (grapheme clusters) at or before `limit`, outside any tag or
    /// character reference; between two scalars when one character is longer than a whole piece.
    private func characterBoundary(before limit: Int) -> Int {
        var windowStart = max(runStart, limit - 64)
        while windowStart < limit, text[windowStart].isUTF8Continuation {
            windowStart += 1
        }
        let tail = String(decoding: text[windowStart..<limit], as: UTF8.self)
        var cut = limit - (tail.last?.utf8.count ?? 0)
        if cut <= runStart { cut = limit }
        guard format == .html else { return cut }
        let outside = markupStart(containing: cut)
        return outside > runStart ? outside : cut
    }

    /// The start of the tag or character reference `position` is inside of, or `position` itself.
    private func markupStart(containing position: Int) -> Int {
        var tagStart: Int?
        var scan = TagScan()
        var index = runStart
        while index < position {
            if tagStart != nil {
                if scan.ends(at: text[index]) { tagStart = nil }
            } else if opensTag(at: index) {
                tagStart = index
                scan = TagScan()
            }
            index += 1
        }
        if let tagStart { return tagStart }
        let referenceWindow = max(runStart, position - 32)..<position
        if let ampersand = text[referenceWindow].lastIndex(of: UInt8(ascii: "&")),
            !text[ampersand..<position].contains(where: { $0 == UInt8(ascii: ";") || $0.isASCIIWhitespace })
        {
            return ampersand
        }
        return position
    }
}
