import Foundation
import NIOCore
import RefractCore
import RefractTestSupport
import Testing

@testable import RefractTranslate

@Suite struct TranslateFailureTests {
    typealias Harness = TranslateHarness

    @Test func a429IsRetriedAfterItsRetryAfter() async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: "429", retryAfter: 1))
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                let start = ContinuousClock.now
                let (_, text) = try await Harness.translate(
                    transform, "Hello again.", context: Harness.context(to: "de"))
                #expect(ContinuousClock.now - start >= .seconds(1))
                #expect(text == "⟦HELLO AGAIN.⟧")
                let statuses = try await server.requestLog().translations.map(\.status)
                #expect(statuses == [429, 200])
            }
        }
    }

    @Test(arguments: ["500", "503", "drop", "garbage"])
    func failuresWithoutAnAnswerOrWithA5xxAreRetried(kind: String) async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: kind, count: 2))
            try await Harness.withTransform(Harness.settings(.deepL, server: server)) { transform in
                if kind == "garbage" {
                    // A success status with a body that is not the service's JSON is not retried.
                    let error = await #expect(throws: RefractError.self) {
                        try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de"))
                    }
                    #expect(error?.s3Code == "TransformFailed")
                    #expect(try await server.requestLog().translations.count == 1)
                    return
                }
                let (_, text) = try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de"))
                #expect(text == "⟦HELLO.⟧")
                #expect(try await server.requestLog().translations.count == 3)
            }
        }
    }

    @Test func anAttemptSlowerThanTheTimeoutIsAbandonedAndRetried() async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: "slow", delayMs: 2000))
            let settings = Harness.settings(.libreTranslate, server: server, timeout: .milliseconds(300))
            try await Harness.withTransform(settings) { transform in
                let (_, text) = try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de"))
                #expect(text == "⟦HELLO.⟧")
                // The service logs a request when it has answered it. The retry's answer coming before the slow
                // one shows the slow attempt was given up, not waited out.
                var attempts = try await server.requestLog().translations
                for _ in 0..<100 where attempts.count < 2 {
                    try await Task.sleep(for: .milliseconds(100))
                    attempts = try await server.requestLog().translations
                }
                #expect(attempts.map(\.fault) == [nil, "slow"])
            }
        }
    }

    @Test(arguments: [TranslationSettings.Provider.libreTranslate, .deepL])
    func aRefusedKeyFailsBeforeTheFirstByteAndIsLoggedWithoutTheKey(
        provider: TranslationSettings.Provider
    ) async throws {
        let key = "super-secret-key-4711"
        try await FakeTranslateServer.with(["--libre-key", key, "--deepl-key", key]) { server in
            try await server.inject(.init(kind: "badkey"))
            let recorder = LogRecorder()
            try await Harness.withTransform(Harness.settings(provider, server: server, apiKey: key)) { transform in
                let output = try await Harness.apply(
                    transform,
                    to: Array("Hello.".utf8),
                    contentType: "text/plain",
                    context: Harness.context(to: "de", logger: recorder.logger())
                )
                var iterator = output.body.makeAsyncIterator()
                let error = await #expect(throws: RefractError.self) { try await iterator.next() }
                #expect(error?.s3Code == "TransformFailed")
                #expect(error?.httpStatus == 502)
                #expect(error?.message.contains("403") == true)
            }
            let message = provider == .libreTranslate ? "Invalid API key" : "Authorization failure, check auth_key"
            #expect(recorder.lines.contains { $0.contains(message) && $0.contains("translate.status=403") })
            #expect(!recorder.lines.contains { $0.contains(key) })
            // A refused key is not retried.
            #expect(try await server.requestLog().translations.count == 1)
        }
    }

    @Test func aWrongDeepLKeyFailsTheStepAtTheLanguageList() async throws {
        try await FakeTranslateServer.with(["--deepl-key", "the-right-key"]) { server in
            let recorder = LogRecorder()
            let settings = Harness.settings(.deepL, server: server, apiKey: "the-wrong-key")
            try await Harness.withTransform(settings) { transform in
                let error = await #expect(throws: RefractError.self) {
                    try await Harness.translate(
                        transform, "Hello.", context: Harness.context(to: "de", logger: recorder.logger()))
                }
                #expect(error?.s3Code == "TransformFailed")
            }
            #expect(recorder.lines.contains { $0.contains("Authorization failure") })
            #expect(!recorder.lines.contains { $0.contains("the-wrong-key") })
        }
    }

    @Test func deepLQuotaExceededIsNotRetried() async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: "quota"))
            try await Harness.withTransform(Harness.settings(.deepL, server: server)) { transform in
                let error = await #expect(throws: RefractError.self) {
                    try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de"))
                }
                #expect(error?.s3Code == "TransformFailed")
                #expect(error?.message.contains("456") == true)
                let statuses = try await server.requestLog().translations.map(\.status)
                #expect(statuses == [456])
            }
        }
    }

    @Test(arguments: ["badkey", "500"])
    func aFailureAfterTheFirstByteEndsTheBodyWithAnError(kind: String) async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: kind, count: 100, match: "Paragraph 6 "))
            let settings = Harness.settings(.libreTranslate, server: server, maxRequestBytes: 200, concurrency: 1)
            try await Harness.withTransform(settings) { transform in
                let paragraphs = TranslateStreamingTests.paragraphs(10)
                let output = try await Harness.apply(
                    transform,
                    to: Array(paragraphs.joined(separator: "\n\n").utf8),
                    contentType: "text/plain",
                    context: Harness.context(to: "de")
                )
                var received: [UInt8] = []
                var iterator = output.body.makeAsyncIterator()
                let error = await #expect(throws: RefractError.self) {
                    while let buffer = try await iterator.next() {
                        received += buffer.readableBytesView
                    }
                }
                #expect(error?.s3Code == "TransformFailed")
                let expectedStart = paragraphs[0..<5].map(Harness.fakeTranslation).joined(separator: "\n\n")
                #expect(String(decoding: received, as: UTF8.self).hasPrefix(expectedStart))
                #expect(!String(decoding: received, as: UTF8.self).contains("PARAGRAPH 6 "))
                // A refused key is not retried; a 500 is, up to the retry limit.
                let failed = try await server.requestLog().translations.filter { $0.fault != nil }
                #expect(failed.count == (kind == "badkey" ? 1 : RetryPolicy().maxAttempts))
            }
        }
    }

    @Test func theRequestDeadlineEndsTheWaitWithTransformTimeout() async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: "slow", count: 10, delayMs: 60_000))
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                let start = ContinuousClock.now
                let error = await #expect(throws: RefractError.self) {
                    try await Harness.translate(
                        transform,
                        "Hello.",
                        context: Harness.context(to: "de", within: .seconds(1))
                    )
                }
                #expect(error?.s3Code == "TransformTimeout")
                // Far below one slow answer: the deadline, not the service, ended the wait.
                #expect(ContinuousClock.now - start < .seconds(30))
            }
        }
    }

    @Test func aRetryAfterPastTheDeadlineFailsAtOnce() async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: "429", retryAfter: 600))
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                let start = ContinuousClock.now
                let error = await #expect(throws: RefractError.self) {
                    try await Harness.translate(
                        transform, "Hello.", context: Harness.context(to: "de", within: .seconds(60)))
                }
                #expect(error?.s3Code == "TransformFailed")
                #expect(error?.message.contains("429") == true)
                // Neither the Retry-After nor the deadline was waited out.
                #expect(ContinuousClock.now - start < .seconds(60))
            }
        }
    }

    @Test func aFailedLanguageListIsFetchedAgainByTheNextRequest() async throws {
        try await FakeTranslateServer.with { server in
            try await server.inject(.init(kind: "500", count: RetryPolicy().maxAttempts, on: "languages"))
            try await Harness.withTransform(Harness.settings(.libreTranslate, server: server)) { transform in
                let error = await #expect(throws: RefractError.self) {
                    try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de"))
                }
                #expect(error?.s3Code == "TransformFailed")
                let (_, text) = try await Harness.translate(transform, "Hello.", context: Harness.context(to: "de"))
                #expect(text == "⟦HELLO.⟧")
                #expect(try await server.requestLog().languageLists.count == RetryPolicy().maxAttempts + 1)
            }
        }
    }
}
