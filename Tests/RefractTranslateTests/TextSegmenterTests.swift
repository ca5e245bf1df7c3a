import Testing

@testable import RefractTranslate

@Suite struct TextSegmenterTests {
    /// The pieces of `text`, fed `chunkBytes` at a time (whole characters, as the decoder hands them on), with
    /// adjacent verbatim pieces joined.
    static func pieces(
        _ text: String,
        _ format: TextFormat = .plain,
        budget: Int = 8000,
        chunkBytes: Int = .max
    ) -> [TextPiece] {
        var segmenter = TextSegmenter(format: format, pieceBudget: budget)
        let bytes = Array(text.utf8)
        var pieces: [TextPiece] = []
        var start = 0
        while start < bytes.count {
            var end = min(bytes.count, start + chunkBytes)
            while end < bytes.count, bytes[end].isUTF8Continuation { end += 1 }
            pieces += segmenter.append(Array(bytes[start..<end]))
            start = end
        }
        pieces += segmenter.finish()
        return joined(pieces)
    }

    static func joined(_ pieces: [TextPiece]) -> [TextPiece] {
        var joined: [TextPiece] = []
        for piece in pieces {
            if case .verbatim(let bytes) = piece, case .verbatim(let previous) = joined.last {
                joined[joined.count - 1] = .verbatim(previous + bytes)
            } else {
                joined.append(piece)
            }
        }
        return joined
    }

    static func reassembled(_ pieces: [TextPiece]) -> String {
        pieces.map { piece in
            switch piece {
            case .verbatim(let bytes): String(decoding: bytes, as: UTF8.self)
            case .translatable(let text): text
            }
        }.joined()
    }

    static func translatables(_ pieces: [TextPiece]) -> [String] {
        pieces.compactMap {
            if case .translatable(let text) = $0 { return text }
            return nil
        }
    }

    static func verbatim(_ text: String) -> TextPiece { .verbatim(Array(text.utf8)) }

    @Test func paragraphsAreSplitAtBlankLinesAndTheirWhitespaceIsKept() {
        let text = "First paragraph.\n\nSecond one,\nwrapped.\n\n\n  Third.  \n"
        let pieces = Self.pieces(text)
        #expect(
            pieces == [
                .translatable("First paragraph."), Self.verbatim("\n\n"), .translatable("Second one,\nwrapped."),
                Self.verbatim("\n\n\n  "), .translatable("Third."), Self.verbatim("  \n"),
            ]
        )
        #expect(Self.reassembled(pieces) == text)
    }

    @Test func anEmptyTextHasNoPieces() {
        #expect(Self.pieces("").isEmpty)
    }

    @Test func whitespaceAndTextWithoutLettersAreKept() {
        #expect(Self.pieces("  \n\n \t") == [Self.verbatim("  \n\n \t")])
        #expect(
            Self.pieces("Title\n\n---\n\n42 — 17\n\nEnd") == [
                .translatable("Title"), Self.verbatim("\n\n---\n\n42 — 17\n\n"), .translatable("End"),
            ])
    }

    @Test func crlfLineEndsSurviveAndNeverEndAPiece() {
        let text = "One.\r\nTwo.\r\n\r\nThree.\r\n"
        let pieces = Self.pieces(text)
        #expect(
            pieces == [
                .translatable("One.\r\nTwo."), Self.verbatim("\r\n\r\n"), .translatable("Three."),
                Self.verbatim("\r\n"),
            ])

        let lines = (1...200).map { "Line \($0) of a long paragraph" }.joined(separator: "\r\n") + "\r\n"
        let cut = Self.pieces(lines, budget: 300)
        #expect(Self.reassembled(cut) == lines)
        #expect(Self.translatables(cut).count > 10)
        for piece in Self.translatables(cut) {
            #expect(piece.first?.isWhitespace == false && piece.last?.isWhitespace == false)
            #expect(piece.hasPrefix("Line "))
        }
    }

    @Test func aTwentyKilobyteParagraphIsCutAtSentenceEndsWithinTheBudget() {
        let sentences = (1...800).map { "Sentence number \($0) says \"hello\" here." }
        let text = sentences.joined(separator: " ")
        #expect(text.utf8.count > 20_000)
        let pieces = Self.pieces(text, budget: 1000)
        #expect(Self.reassembled(pieces) == text)
        let translatables = Self.translatables(pieces)
        #expect(translatables.count >= 25)
        for piece in translatables {
            #expect(JSONText.quotedCost(of: piece) <= 1000)
            #expect(piece.hasSuffix("here."))
        }
        // Cut in the second half of what fits: only the last piece is short.
        #expect(translatables.dropLast().allSatisfy { JSONText.quotedCost(of: $0) > 500 })
    }

    @Test func aParagraphWithoutSentenceEndsIsCutBetweenWords() {
        let text = Array(repeating: "word", count: 3000).joined(separator: " ")
        let pieces = Self.pieces(text, budget: 500)
        #expect(Self.reassembled(pieces) == text)
        for piece in Self.translatables(pieces) {
            #expect(JSONText.quotedCost(of: piece) <= 500)
            #expect(piece.split(separator: " ").allSatisfy { $0 == "word" })
        }
    }

    @Test func emojiAndCombiningSequencesAtCutPointsStayWhole() {
        let family = "👩‍👩‍👧‍👦"
        let graphemes: [Character] = ["a", Character(family), "👍🏽", "🇫🇷", "🇩🇪", "e\u{301}", "語"]
        let text = String(repeating: String(graphemes), count: 400)
        for budget in [64, 97, 130] {
            let pieces = Self.pieces(text, budget: budget)
            #expect(Self.reassembled(pieces) == text)
            for piece in Self.translatables(pieces) {
                #expect(JSONText.quotedCost(of: piece) <= budget)
                #expect(piece.allSatisfy { graphemes.contains($0) }, "a piece cut a character: \(piece)")
            }
        }
    }

    @Test func piecesAreTheSameHoweverTheTextArrives() {
        let samples: [(String, TextFormat)] = [
            ("Hello world. This is text.\n\nAnother paragraph\r\nwith CRLF.\r\n\r\n\r\nEnd", .plain),
            (Self.markdown, .markdown),
            (Self.html, .html),
        ]
        for (text, format) in samples {
            let whole = Self.pieces(text, format, budget: 120)
            #expect(Self.reassembled(whole) == text)
            for chunkBytes in [1, 2, 7, 64] {
                #expect(
                    Self.pieces(text, format, budget: 120, chunkBytes: chunkBytes) == whole, "\(format) \(chunkBytes)")
            }
        }
    }

    static let markdown = """
        # A title

        Some *text* with `inline code` and ``a `tick` inside``.

        - first item
        - second item
          continued
        > quoted text
        1. numbered

        ```swift
        let greeting = "Hello"

        print(greeting)
        ```

        Setext title
        ============

        | Name | Value |
        |------|-------|
        | one  | 1     |

        ~~~
        unclosed tilde fence
        """

    @Test func markdownKeepsCodeMarkersAndDelimiterLines() {
        let pieces = Self.pieces(Self.markdown, .markdown)
        #expect(Self.reassembled(pieces) == Self.markdown)
        #expect(
            Self.translatables(pieces) == [
                "A title", "Some *text* with", "and", "first item", "second item\n  continued", "quoted text",
                "numbered", "Setext title", "| Name | Value |", "| one  | 1     |",
            ]
        )
    }

    @Test func unclosedBackticksAreText() {
        let pieces = Self.pieces("Use ` with care.\n\nThen `code` here.", .markdown)
        #expect(Self.translatables(pieces) == ["Use ` with care.", "Then", "here."])
    }

    static let html = """
        <!DOCTYPE html>
        <html><head><title>Hello page</title><style>p > b { color: red }</style></head>
        <body><p class="intro">Hello <b>bold world</b> &amp; friends.</p><!-- a <p>comment</p> -->
        <pre>keep
          this</pre><p>Say <code>if a < b</code> twice.<br>Next line</p>
        <script>if (a < b && c > d) { document.write("<p>no</p>") }</script>
        <img src="a.png" alt="An image"> after image</body></html>
        """

    @Test func htmlKeepsBlockTagsCommentsAndRawTextAndSendsInlineTags() {
        let pieces = Self.pieces(Self.html, .html)
        #expect(Self.reassembled(pieces) == Self.html)
        #expect(
            Self.translatables(pieces) == [
                "Hello page", "Hello <b>bold world</b> &amp; friends.", "Say", "twice.", "Next line",
                "<img src=\"a.png\" alt=\"An image\"> after image",
            ]
        )
    }

    @Test func htmlIsNeverCutInsideATagOrReference() {
        let link = "<a href=\"https://example.com/page?x=1&amp;y=2\" title=\"a > b\">link text</a>"
        let text = "<p>" + Array(repeating: "Words and \(link) &eacute;&#233; more words", count: 300).joined() + "</p>"
        for budget in [150, 199, 260] {
            let pieces = Self.pieces(text, .html, budget: budget)
            #expect(Self.reassembled(pieces) == text)
            for piece in Self.translatables(pieces) {
                #expect(JSONText.quotedCost(of: piece) <= budget)
                #expect(Self.isWholeMarkup(piece), "cut inside markup: \(piece)")
            }
        }
    }

    /// Whether every tag and character reference `piece` has is whole.
    static func isWholeMarkup(_ piece: String) -> Bool {
        var scan: TagScan?
        var reference = false
        for byte in piece.utf8 {
            if var tag = scan {
                scan = tag.ends(at: byte) ? nil : tag
            } else if byte == UInt8(ascii: "<") {
                scan = TagScan()
            } else if byte == UInt8(ascii: ">") {
                return false
            } else if byte == UInt8(ascii: "&") {
                reference = true
            } else if byte == UInt8(ascii: ";") {
                reference = false
            } else if reference, byte == UInt8(ascii: " ") {
                return false
            }
        }
        return scan == nil && !reference
    }
}
