import Foundation
import NIOCore
import RefractCore
import Testing

@testable import RefractTranslate

@Suite struct TranslateTransformTests {
    typealias Harness = TranslateHarness

    @Test(arguments: [TranslationSettings.Provider.libreTranslate, .deepL])
    func plainTextIsTranslatedWithItsWhitespaceKept(provider: TranslationSettings.Provider) async throws {
        try await FakeTranslateServer.with(["--libre-key", "libre-secret", "--deepl-key", "deepl-test-key:fx"]) {
            server in
            let settings = Harness.settings(
                provider,
                server: server,
                apiKey: provider == .libreTranslate ? "libre-secret" : nil
            )
            try await Harness.withTransform(settings) { transform in
                let source = "Hello world.\n\nSecond paragraph,\r\nwith CRLF.\r\n\r\n  Indented?  \n"
                let (output, text) = try await Harness.translate(transform, source, context: Harness.context(to: "de"))
                #expect(text == "⟦HELLO WORLD.⟧\n\n⟦SECOND PARAGRAPH,\r\nWITH CRLF.⟧\r\n\r\n  ⟦INDENTED?⟧  \n")
                #expect(output.contentType == "text/plain; charset=utf-8")
                #expect(output.headers == ["content-language": "de"])
                #expect(output.contentLength == nil)

                let log = try await server.requestLog()
                let request = try #require(log.translations.first)
                #expect(log.translations.count == 1)
                #expect(request.status == 200)
                #expect(request.texts == 3)
                #expect(request.path == (provider == .libreTranslate ? "/translate" : "/v2/translate"))
                #expect(request.target == (provider == .libreTranslate ? "de" : "DE"))
                #expect(request.source == (provider == .libreTranslate ? "auto" : nil))
                #expect(request.format == (provider == .libreTranslate ? "text" : nil))
            }
        }
    }

    @Test(arguments: [TranslationSettings.Provider.libreTranslate, .deepL])
    func markdownKeepsItsCode(provider: TranslationSettings.Provider) async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(provider, server: server)) { transform in
                let source = "# Title\n\nRun `make test` now.\n\n```sh\necho hello\n```\n\n- item one\n- item two\n"
                let (output, text) = try await Harness.translate(
                    transform,
                    source,
                    contentType: "text/markdown; charset=UTF-8",
                    context: Harness.context(to: "fr")
                )
                #expect(
                    text
                        == "# ⟦TITLE⟧\n\n⟦RUN⟧ `make test` ⟦NOW.⟧\n\n```sh\necho hello\n```\n\n- ⟦ITEM ONE⟧\n- ⟦ITEM TWO⟧\n"
                )
                #expect(output.contentType == "text/markdown; charset=utf-8")
            }
        }
    }

    @Test(arguments: [TranslationSettings.Provider.libreTranslate, .deepL])
    func htmlIsSentInTheServiceHTMLMode(provider: TranslationSettings.Provider) async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(provider, server: server)) { transform in
                let source = """
                    <html><head><title>Hello</title><script>var a = "<b>x</b>";</script></head>
                    <body><p class="x">Hello <b>world</b> &amp; you.</p><pre>keep me</pre><!-- note --></body></html>
                    """
                let (output, text) = try await Harness.translate(
                    transform,
                    source,
                    contentType: "text/html",
                    context: Harness.context(to: "es")
                )
                #expect(
                    text == """
                        <html><head><title>HELLO</title><script>var a = "<b>x</b>";</script></head>
                        <body><p class="x">HELLO <b>WORLD</b> &amp; YOU.</p><pre>keep me</pre><!-- note --></body></html>
                        """
                )
                #expect(output.contentType == "text/html; charset=utf-8")
                let log = try await server.requestLog()
                #expect(log.translations.map(\.format) == ["html"])
            }
        }
    }

    @Test func textInAnotherCharsetIsTranslatedToUTF8() async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                let latin1: [UInt8] = Array("Caf".utf8) + [0xE9] + Array("\n\nTh".utf8) + [0xE9, 0x20, 0x80]
                let output = try await Harness.apply(
                    transform,
                    to: latin1,
                    contentType: "text/plain; charset=ISO-8859-1",
                    context: Harness.context(to: "de")
                )
                #expect(try await Harness.collect(output.body) == "⟦CAFÉ⟧\n\n⟦THÉ €⟧")
                #expect(output.contentType == "text/plain; charset=utf-8")

                let utf16: [UInt8] = [0xFF, 0xFE] + "Grüße 😀".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
                let fromUTF16 = try await Harness.apply(
                    transform,
                    to: utf16,
                    contentType: "text/plain; charset=utf-16",
                    context: Harness.context(to: "de"),
                    chunkBytes: 3
                )
                #expect(try await Harness.collect(fromUTF16.body) == "⟦GRÜSSE 😀⟧")
            }
        }
    }

    @Test func textThatIsNotUTF8FailsBeforeItsFirstByte() async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                let output = try await Harness.apply(
                    transform,
                    to: Array("Caf".utf8) + [0xE9] + Array(" au lait".utf8),
                    contentType: "text/plain",
                    context: Harness.context(to: "de")
                )
                var iterator = output.body.makeAsyncIterator()
                let error = await #expect(throws: RefractError.self) { try await iterator.next() }
                #expect(error?.s3Code == "UnprocessableSource")
                #expect(error?.httpStatus == 422)
                #expect(try await server.requestLog().translations.isEmpty)
            }
        }
    }

    @Test func anEmptyTextNeedsNoRequest() async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(.deepL, server: server)) { transform in
                let (output, text) = try await Harness.translate(transform, "", context: Harness.context(to: "de"))
                #expect(text == "")
                #expect(output.headers["content-language"] == "de")
                #expect(try await server.requestLog().translations.isEmpty)
            }
        }
    }

    @Test func languagesAreCheckedAgainstTheServiceListFetchedOnce() async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                for target in ["de", "pt-br", "zh-hans"] {
                    _ = try await Harness.translate(transform, "Hello.", context: Harness.context(to: target))
                }
                let unknown = await #expect(throws: RefractError.self) {
                    try await Harness.translate(transform, "Hello.", context: Harness.context(to: "xx"))
                }
                #expect(unknown?.s3Code == "InvalidTransform")
                #expect(unknown?.httpStatus == 400)
                let log = try await server.requestLog()
                #expect(log.languageLists.count == 1)
                #expect(log.translations.map(\.target) == ["de", "pt-BR", "zh-Hans"])

                let unknownSource = await #expect(throws: RefractError.self) {
                    try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de", from: "xx"))
                }
                #expect(unknownSource?.s3Code == "InvalidTransform")
            }
        }
    }

    @Test func deepLCodesAreTheServiceOwnAndContentLanguageIsBCP47() async throws {
        try await FakeTranslateServer.with { server in
            try await Harness.withTransform(Harness.settings(.deepL, server: server)) { transform in
                let (output, _) = try await Harness.translate(
                    transform,
                    "Hallo Welt.",
                    context: Harness.context(to: "en-us", from: "de")
                )
                #expect(output.headers["content-language"] == "en-US")
                let (hans, _) = try await Harness.translate(
                    transform, "Hallo.", context: Harness.context(to: "zh-hans"))
                #expect(hans.headers["content-language"] == "zh-Hans")
                let log = try await server.requestLog()
                #expect(log.translations.map(\.target) == ["EN-US", "ZH-HANS"])
                #expect(log.translations.map(\.source) == ["DE", nil])
                #expect(
                    log.languageLists.map(\.path).sorted() == [
                        "/v2/languages?type=source", "/v2/languages?type=target",
                    ])
            }
        }
    }

    @Test func parametersAreCheckedBeforeAnyRequest() async throws {
        let settings = TranslationSettings(provider: .libreTranslate, url: "http://127.0.0.1:9")
        try await Harness.withTransform(settings) { transform in
            let refused: [[String: ParameterValue]] = [
                [:], ["to": .string("f")], ["to": .string("de;x")], ["to": .string("de"), "from": .string("e n")],
            ]
            for parameters in refused {
                let error = #expect(throws: RefractError.self) { try transform.check(TransformParameters(parameters)) }
                #expect(error?.s3Code == "InvalidTransform")
            }
            #expect(throws: Never.self) {
                try transform.check(TransformParameters(["to": .string("pt-BR"), "from": .string("auto")]))
            }
            #expect(transform.descriptor.primaryParameter == "to")
            #expect(transform.descriptor.canTake(contentType: "text/markdown; charset=utf-8"))
            #expect(!transform.descriptor.canTake(contentType: "application/json"))
        }
    }
}
