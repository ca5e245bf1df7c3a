import NIOCore

/// A stretch of the output made by one request to the service: the texts sent, and how they sit among the bytes
/// kept as they are.
struct TranslationBatch {
    enum Part {
        case verbatim([UInt8])
        /// The translation of `texts[index]`.
        case text(index: Int)
    }

    var parts: [Part] = []
    var texts: [String] = []

    /// The output, with `translations[i]` in place of `texts[i]`; leading and trailing whitespace a service adds
    /// to a translation is dropped, as the source's own is kept among the verbatim parts.
    func output(translations: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for part in parts {
            switch part {
            case .verbatim(let bytes):
                buffer.writeBytes(bytes)
            case .text(let index):
                let translation = translations[index].utf8
                let start = translation.firstIndex { !$0.isASCIIWhitespace } ?? translation.endIndex
                let end = translation.lastIndex { !$0.isASCIIWhitespace }.map { translation.index(after: $0) }
                buffer.writeBytes(translation[start..<max(start, end ?? start)])
            }
        }
        return buffer
    }
}

/// Gathers pieces into batches, each as large as one request allows.
///
/// A batch closes when the next text would take its texts past `textBudget` (the JSON array's elements and commas,
/// as sent) or past `maxTexts`, or when it holds `maxVerbatimBytes` of kept bytes, so that a long code block does
/// not wait for text to come.
struct BatchAssembler {
    let textBudget: Int
    let maxTexts: Int
    let maxVerbatimBytes: Int
    private var batch = TranslationBatch()
    private var textCost = 0
    private var verbatimBytes = 0

    init(textBudget: Int, maxTexts: Int, maxVerbatimBytes: Int = 64 << 10) {
        self.textBudget = textBudget
        self.maxTexts = maxTexts
        self.maxVerbatimBytes = maxVerbatimBytes
    }

    /// Adds `piece`; returns the batch it closed, if it closed one.
    mutating func add(_ piece: TextPiece) -> TranslationBatch? {
        switch piece {
        case .verbatim(let bytes):
            batch.parts.append(.verbatim(bytes))
            verbatimBytes += bytes.count
            return verbatimBytes >= maxVerbatimBytes ? take() : nil
        case .translatable(let text):
            let cost = JSONText.quotedCost(of: text)
            let closed =
                batch.texts.isEmpty || (textCost + 1 + cost <= textBudget && batch.texts.count < maxTexts)
                ? nil : take()
            textCost += batch.texts.isEmpty ? cost : 1 + cost
            batch.parts.append(.text(index: batch.texts.count))
            batch.texts.append(text)
            return closed
        }
    }

    /// The last batch, nil when nothing is left.
    mutating func finish() -> TranslationBatch? {
        batch.parts.isEmpty ? nil : take()
    }

    private mutating func take() -> TranslationBatch {
        defer {
            batch = TranslationBatch()
            textCost = 0
            verbatimBytes = 0
        }
        return batch
    }
}
