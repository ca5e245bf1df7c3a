import Foundation
import NIOCore
import RefractCore
import Testing

@testable import RefractTranslate

@Suite struct TranslateStreamingTests {
    typealias Harness = TranslateHarness

    /// `count` paragraphs of about 120 bytes, each named by its number (`Paragraph 7 `).
    static func paragraphs(_ count: Int) -> [String] {
        (1...count).map { "Paragraph \($0) tells a short story about translation, streaming and keeping the order." }
    }

    @Test func segmentsComeOutInOrderWhileRequestsRunConcurrently() async throws {
        try await FakeTranslateServer.with(["--delay-ms", "20"]) { server in
            // The first and third requests are the slowest: later ones finish first and must wait for them.
            try await server.inject(.init(kind: "slow", delayMs: 500, match: "Paragraph 1 "))
            try await server.inject(.init(kind: "slow", delayMs: 250, match: "Paragraph 3 "))
            let settings = Harness.settings(.libreTranslate, server: server, maxRequestBytes: 200, concurrency: 4)
            try await Harness.withTransform(settings) { transform in
                let paragraphs = Self.paragraphs(30)
                let (_, text) = try await Harness.translate(
                    transform,
                    paragraphs.joined(separator: "\n\n"),
                    context: Harness.context(to: "de")
                )
                #expect(text == paragraphs.map(Harness.fakeTranslation).joined(separator: "\n\n"))
                let log = try await server.requestLog()
                #expect(log.translations.count == 30)
                #expect(log.maxInFlight == 4)
                // Requests after the slow first one were answered before it.
                let first = try #require(log.translations.first { $0.fault == "slow" && $0.endMs - $0.startMs >= 500 })
                #expect(log.translations.filter { $0.endMs < first.endMs }.count >= 3)
            }
        }
    }

    @Test func theFirstBytesComeBeforeTheLastSegmentIsAskedFor() async throws {
        try await FakeTranslateServer.with(["--delay-ms", "100"]) { server in
            let settings = Harness.settings(.deepL, server: server, maxRequestBytes: 200, concurrency: 1)
            try await Harness.withTransform(settings) { transform in
                let paragraphs = Self.paragraphs(8)
                let output = try await Harness.apply(
                    transform,
                    to: Array(paragraphs.joined(separator: "\n\n").utf8),
                    contentType: "text/plain",
                    context: Harness.context(to: "de")
                )
                var iterator = output.body.makeAsyncIterator()
                let first = try #require(try await iterator.next())
                #expect(String(buffer: first).hasPrefix(Harness.fakeTranslation(paragraphs[0])))
                #expect(try await server.requestLog().translations.count == 1)

                var rest: [UInt8] = Array(first.readableBytesView)
                while let buffer = try await iterator.next() {
                    rest += buffer.readableBytesView
                }
                #expect(
                    String(decoding: rest, as: UTF8.self)
                        == paragraphs.map(Harness.fakeTranslation).joined(separator: "\n\n"))
                #expect(try await server.requestLog().translations.count == 8)
            }
        }
    }

    @Test func aConsumerThatStopsPullingStopsTheRequests() async throws {
        try await FakeTranslateServer.with { server in
            let settings = Harness.settings(.libreTranslate, server: server, maxRequestBytes: 300, concurrency: 4)
            try await Harness.withTransform(settings) { transform in
                let paragraphs = Self.paragraphs(40)
                let output = try await Harness.apply(
                    transform,
                    to: Array(paragraphs.joined(separator: "\n\n").utf8),
                    contentType: "text/plain",
                    context: Harness.context(to: "de")
                )
                var iterator = output.body.makeAsyncIterator()
                _ = try await iterator.next()
                try await Task.sleep(for: .milliseconds(300))
                // The window holds `concurrency` batches: no more were asked for while the consumer waited.
                #expect(try await server.requestLog().translations.count == 4)
                _ = try await iterator.next()
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await server.requestLog().translations.count == 5)
            }
        }
    }

    @Test func aLargeSourceIsReadOnlyAsFarAsTheConsumerPulls() async throws {
        try await FakeTranslateServer.with { server in
            let settings = Harness.settings(.deepL, server: server, maxRequestBytes: 8000, concurrency: 4)
            try await Harness.withTransform(settings) { transform in
                let paragraph = String(repeating: "A sentence of a large text that is read as it streams. ", count: 20)
                let source = Array(String(repeating: paragraph + "\n\n", count: 2000).utf8)
                #expect(source.count > 2_000_000)
                let counter = ByteCounter()
                let output = try await transform.apply(
                    TransformInput(
                        body: ObjectBody(CountingBody(bytes: source, chunkBytes: 16 << 10, counter: counter)),
                        contentType: "text/plain",
                        contentLength: source.count
                    ),
                    context: Harness.context(to: "de")
                )
                var iterator = output.body.makeAsyncIterator()
                _ = try await iterator.next()
                try await Task.sleep(for: .milliseconds(200))
                // Four requests of 8000 bytes in flight and a buffer's worth of text ahead, not the whole source.
                #expect(counter.bytes < 256 << 10)
                var translated = 0
                while let buffer = try await iterator.next() {
                    translated += buffer.readableBytes
                }
                #expect(counter.bytes == source.count)
                #expect(translated > source.count)
            }
        }
    }

    /// A text with what costs the most in JSON (quotes, backslashes, tabs, control characters), emoji, accents, a
    /// 20 KB paragraph and many short ones.
    static let awkwardText: String = {
        var parts: [String] = []
        for index in 1...300 {
            parts.append("Line \(index): \"quoted\" back\\slash\ttab \u{1}control é 😀 語.")
        }
        let long = (1...500).map { "Sentence \($0) of the long paragraph, with \"quotes\"." }.joined(separator: " ")
        parts.insert(long, at: 150)
        return parts.joined(separator: "\n\n") + "\n"
    }()

    @Test(arguments: [TranslationSettings.Provider.libreTranslate, .deepL])
    func noRequestIsLargerThanMaxRequestBytes(provider: TranslationSettings.Provider) async throws {
        try await FakeTranslateServer.with(["--libre-key", "a-rather-long-libretranslate-api-key-0123456789"]) {
            server in
            let settings = Harness.settings(
                provider,
                server: server,
                apiKey: provider == .libreTranslate ? "a-rather-long-libretranslate-api-key-0123456789" : nil,
                maxRequestBytes: 1000,
                concurrency: 4
            )
            try await Harness.withTransform(settings) { transform in
                let (_, text) = try await Harness.translate(
                    transform,
                    Self.awkwardText,
                    context: Harness.context(to: "fr")
                )
                #expect(Harness.unmarked(text) == Self.awkwardText.uppercased())
                let log = try await server.requestLog()
                #expect(log.translations.count > 20)
                #expect(log.translations.allSatisfy { $0.bytes <= 1000 && $0.status == 200 })
                // Requests are filled, not sent one short text at a time.
                let sizes = log.translations.map(\.bytes).sorted()
                #expect(sizes[sizes.count / 2] > 850)
            }
        }
    }

    @Test(arguments: [TranslationSettings.Provider.libreTranslate, .deepL])
    func longHTMLIsSplitBetweenTagsAndComesBackWhole(provider: TranslationSettings.Provider) async throws {
        try await FakeTranslateServer.with { server in
            let settings = Harness.settings(provider, server: server, maxRequestBytes: 500, concurrency: 3)
            try await Harness.withTransform(settings) { transform in
                let block = "<p>Hello <a href=\"/x?a=1&amp;b=2\" title=\"a > b\">dear <b>world</b></a> &amp; you.</p>\n"
                let (_, text) = try await Harness.translate(
                    transform,
                    "<div>" + String(repeating: block, count: 400) + "</div>",
                    contentType: "text/html; charset=utf-8",
                    context: Harness.context(to: "de")
                )
                let translated =
                    "<p>HELLO <a href=\"/x?a=1&amp;b=2\" title=\"a > b\">DEAR <b>WORLD</b></a> &amp; YOU.</p>\n"
                #expect(text == "<div>" + String(repeating: translated, count: 400) + "</div>")
                let log = try await server.requestLog()
                #expect(log.translations.count > 10)
                #expect(log.translations.allSatisfy { $0.bytes <= 500 })
            }
        }
    }
}
