import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RefractCore

/// Sends requests to the translation service, trying failed ones again within the request's deadline.
///
/// A failure the service explains is logged with its status and message (with the API key, should the message
/// quote it, masked); the client sees `TransformFailed` without the service's words, or `TransformTimeout` when
/// the deadline passed.
struct TranslationClient: Sendable {
    let httpClient: HTTPClient
    let provider: any TranslationProvider
    /// How long one attempt may take.
    let timeout: Duration
    /// Masked in everything logged.
    let apiKey: String?
    let retryPolicy: RetryPolicy
    /// The largest answer read.
    let maxResponseBytes: Int

    /// The translations of `texts`, in their order, from one request made with `envelope`.
    func translate(
        _ texts: [String],
        envelope: RequestEnvelope,
        deadline: ContinuousClock.Instant,
        logger: Logger
    ) async throws -> [String] {
        let request = provider.translateRequest(body: envelope.body(texts: texts))
        let body = try await send(request, purpose: "translate", deadline: deadline, logger: logger)
        let translations: [String]
        do {
            translations = try provider.translations(in: body)
        } catch {
            throw failure("answered a translation that is not JSON it should send", body: body, logger: logger)
        }
        guard translations.count == texts.count else {
            throw failure("answered \(translations.count) translations for \(texts.count) texts", logger: logger)
        }
        return translations
    }

    /// The codes of the languages the service translates from or into.
    func languageCodes(_ list: LanguageList, deadline: ContinuousClock.Instant, logger: Logger) async throws
        -> [String]
    {
        let body = try await send(
            provider.languagesRequest(list), purpose: "languages", deadline: deadline, logger: logger)
        do {
            return try provider.languageCodes(in: body, list: list)
        } catch {
            throw failure("answered a language list that is not JSON it should send", body: body, logger: logger)
        }
    }

    /// The body of a successful answer to `request`.
    private func send(
        _ request: HTTPClientRequest,
        purpose: String,
        deadline: ContinuousClock.Instant,
        logger: Logger
    ) async throws -> ByteBuffer {
        var logger = logger
        logger[metadataKey: "translate.provider"] = "\(provider.name)"
        logger[metadataKey: "translate.request"] = "\(purpose)"
        var attempt = 1
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                logger.warning("The translation service did not answer before the request's deadline")
                throw RefractError.transformTimeout("The translation service did not answer in time.")
            }
            let outcome: Outcome
            do {
                let response = try await httpClient.execute(request, timeout: TimeAmount(min(timeout, remaining)))
                let body = try await response.body.collect(upTo: maxResponseBytes)
                if (200..<300).contains(response.status.code) { return body }
                outcome = .answered(
                    status: Int(response.status.code),
                    message: provider.errorMessage(in: body) ?? Self.excerpt(of: body),
                    retryAfter: RetryPolicy.retryAfter(response.headers.first(name: "retry-after"))
                )
            } catch {
                if Task.isCancelled { throw CancellationError() }
                outcome = .unanswered(String(describing: error))
            }
            if outcome.isRetryable,
                let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: outcome.retryAfter),
                ContinuousClock.now + delay < deadline
            {
                logger.debug(
                    "Trying the translation service again",
                    metadata: outcome.metadata(masking: apiKey).merging(
                        ["translate.attempt": "\(attempt)", "translate.retry_in": "\(delay)"],
                        uniquingKeysWith: { _, new in new }
                    )
                )
                try await Task.sleep(for: delay)
                attempt += 1
                continue
            }
            var metadata = outcome.metadata(masking: apiKey)
            metadata["translate.attempts"] = "\(attempt)"
            if case .unanswered = outcome, remaining <= timeout {
                logger.warning(
                    "The translation service did not answer before the request's deadline", metadata: metadata)
                throw RefractError.transformTimeout("The translation service did not answer in time.")
            }
            logger.warning("The translation service failed", metadata: metadata)
            throw RefractError.transformFailed("The translation service failed: \(outcome.summary).")
        }
    }

    /// A failure of an answer that came with a success status, logged with what it held.
    private func failure(_ problem: String, body: ByteBuffer? = nil, logger: Logger) -> RefractError {
        var metadata: Logger.Metadata = ["translate.provider": "\(provider.name)"]
        if let body { metadata["translate.answer"] = "\(Self.masked(Self.excerpt(of: body), apiKey: apiKey))" }
        logger.warning("The translation service \(problem)", metadata: metadata)
        return .transformFailed("The translation service \(problem).")
    }

    /// The start of an answer that is not the service's JSON, for the log.
    private static func excerpt(of body: ByteBuffer) -> String {
        String(decoding: body.readableBytesView.prefix(300), as: UTF8.self)
    }

    fileprivate static func masked(_ text: String, apiKey: String?) -> String {
        guard let apiKey, !apiKey.isEmpty else { return text }
        return text.replacingOccurrences(of: apiKey, with: "<api key>")
    }
}

/// How one attempt ended, when it did not succeed.
private enum Outcome {
    case answered(status: Int, message: String, retryAfter: Duration?)
    /// No answer: the connection was refused or dropped, or the attempt timed out.
    case unanswered(String)

    var isRetryable: Bool {
        switch self {
        case .answered(let status, _, _): RetryPolicy.isRetryable(status: status)
        case .unanswered: true
        }
    }

    var retryAfter: Duration? {
        if case .answered(_, _, let retryAfter) = self { return retryAfter }
        return nil
    }

    /// What the client is told: the status, never the service's message.
    var summary: String {
        switch self {
        case .answered(let status, _, _): "it answered HTTP \(status)"
        case .unanswered: "it did not answer"
        }
    }

    func metadata(masking apiKey: String?) -> Logger.Metadata {
        switch self {
        case .answered(let status, let message, _):
            [
                "translate.status": "\(status)",
                "translate.message": "\(TranslationClient.masked(message, apiKey: apiKey))",
            ]
        case .unanswered(let error):
            ["translate.error": "\(TranslationClient.masked(error, apiKey: apiKey))"]
        }
    }
}
