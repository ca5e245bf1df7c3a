extension TextSegmenter {
    /// Hands out what the text holds of the open verbatim element; returns false when the element goes on past the
    /// text received so far (what can be handed out already is), true when it ended.
    mutating func scanOpenElement(_ element: OpenElement, isFinished: Bool) -> Bool {
        switch element {
        case .tag(var scan, let rawTextEnd):
            var index = runStart
            while index < text.count {
                let byte = text[index]
                index += 1
                if scan.ends(at: byte) {
                    let isSelfClosing = index >= 2 && text[index - 2] == UInt8(ascii: "/")
                    emitVerbatim(upTo: index)
                    open = rawTextEnd.flatMap { isSelfClosing ? nil : .rawText(end: $0) }
                    return true
                }
            }
            emitVerbatim(upTo: text.count)
            open = isFinished ? nil : .tag(scan, rawTextEnd: rawTextEnd)
            return isFinished
        case .rawText(let end):
            return scan(until: end, ignoringCase: true, then: .tag(TagScan(), rawTextEnd: nil), isFinished: isFinished)
        case .markup(let end):
            return scan(until: end, ignoringCase: false, then: nil, isFinished: isFinished)
        case .fence(let marker, let length, let isAtLineStart):
            return scanFence(marker: marker, length: length, isAtLineStart: isAtLineStart, isFinished: isFinished)
        }
    }

    /// Hands out the bytes up to and including `end`, then goes on inside `next`.
    private mutating func scan(
        until end: [UInt8],
        ignoringCase: Bool,
        then next: OpenElement?,
        isFinished: Bool
    ) -> Bool {
        if let found = firstIndex(of: end, from: runStart, ignoringCase: ignoringCase) {
            emitVerbatim(upTo: found + end.count)
            open = next
            return true
        }
        if isFinished {
            emitVerbatim(upTo: text.count)
            open = nil
            return true
        }
        // The last bytes may be the start of `end`: they wait for the rest.
        emitVerbatim(upTo: max(runStart, text.count - (end.count - 1)))
        return false
    }

    private func firstIndex(of pattern: [UInt8], from start: Int, ignoringCase: Bool) -> Int? {
        guard let first = pattern.first, text.count - start >= pattern.count else { return nil }
        var index = start
        while index <= text.count - pattern.count {
            if Self.same(text[index], first, ignoringCase: ignoringCase),
                zip(text[index..<index + pattern.count], pattern).allSatisfy({
                    Self.same($0, $1, ignoringCase: ignoringCase)
                })
            {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func same(_ byte: UInt8, _ other: UInt8, ignoringCase: Bool) -> Bool {
        guard ignoringCase, byte.isASCIILetter else { return byte == other }
        return byte | 0x20 == other | 0x20
    }

    /// A fenced code block goes on, line by line, up to a line of at least as many of its markers.
    private mutating func scanFence(marker: UInt8, length: Int, isAtLineStart: Bool, isFinished: Bool) -> Bool {
        var index = runStart
        var isAtLineStart = isAtLineStart
        while index < text.count {
            if isAtLineStart {
                switch closingFence(at: index, marker: marker, length: length, isFinished: isFinished) {
                case .closes(let end):
                    emitVerbatim(upTo: end)
                    open = nil
                    return true
                case .undecided:
                    emitVerbatim(upTo: index)
                    open = .fence(marker: marker, length: length, isAtLineStart: true)
                    return false
                case .content:
                    break
                }
            }
            if let lineFeed = self.index(of: UInt8(ascii: "\n"), from: index) {
                index = lineFeed + 1
                isAtLineStart = true
            } else {
                index = text.count
                isAtLineStart = false
            }
        }
        emitVerbatim(upTo: text.count)
        open = isFinished ? nil : .fence(marker: marker, length: length, isAtLineStart: isAtLineStart)
        return isFinished
    }

    private enum FenceLine {
        /// The line closes the block; it ends before `end` (after its line feed).
        case closes(end: Int)
        case content
        /// The line may still close the block: it has not ended yet.
        case undecided
    }

    private func closingFence(at start: Int, marker: UInt8, length: Int, isFinished: Bool) -> FenceLine {
        var index = start
        while index < text.count, text[index] == UInt8(ascii: " "), index - start < 4 {
            index += 1
        }
        guard index - start < 4 else { return .content }
        let markersStart = index
        while index < text.count, text[index] == marker {
            index += 1
        }
        let markers = index - markersStart
        while index < text.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(text[index]) {
            index += 1
        }
        guard index < text.count else {
            if !isFinished { return .undecided }
            return markers >= length ? .closes(end: index) : .content
        }
        guard markers >= length, text[index] == UInt8(ascii: "\n") else { return .content }
        return .closes(end: index + 1)
    }
}
