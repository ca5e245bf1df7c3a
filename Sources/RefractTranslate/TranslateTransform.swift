import AsyncHTTPClient
import Logging
import NIOCore
public import RefractCore

/// `translate`: text translated by a remote service (SPEC §2), streamed as it comes back.
///
/// Takes `text/plain`, `text/markdown` and `text/html` in UTF-8, UTF-16, ISO-8859-1, Windows-1252 or US-ASCII (from
/// the `charset` of the Content-Type; none means UTF-8, and text that is not UTF-8 then fails with
/// `UnprocessableSource`), and answers the same media type in UTF-8 with `Content-Language`. The text is cut into
/// requests of at most `maxRequestBytes` (see ``TextSegmenter``), sent `concurrency` at a time, and written in
/// order as soon as each request and all before it are done (see ``TranslatedBody``).
///
/// The service's language list is fetched on first use and kept: a target (or source) it does not have is
/// `InvalidTransform`. A service failure before the first byte is `TransformFailed` (`TransformTimeout` past the
/// request's deadline), its message in the log; after the first byte the body fails, and the gateway aborts the
/// response.
///
/// The transform owns the HTTP client it reaches the service with: call ``shutdown()`` once the gateway has
/// stopped serving.
public struct TranslateTransform: Transform {
    /// The most texts one request carries: DeepL takes 50 at most.
    static let maxTextsPerRequest = 50
    /// The least room a request must leave for text once its other fields are written.
    static let minimumTextBudget = 64

    private let settings: TranslationSettings
    private let client: TranslationClient
    private let languages = LanguageCatalog()

    public init(settings: TranslationSettings) {
        self.settings = settings
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: TimeAmount(min(settings.timeout, .seconds(10))))
        )
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, settings.concurrency)
        )
        var baseURL = Substring(settings.url)
        while baseURL.hasSuffix("/") { baseURL = baseURL.dropLast() }
        let provider: any TranslationProvider =
            switch settings.provider {
            case .libreTranslate: LibreTranslateProvider(baseURL: String(baseURL), apiKey: settings.apiKey)
            case .deepL: DeepLProvider(baseURL: String(baseURL), apiKey: settings.apiKey)
            }
        client = TranslationClient(
            httpClient: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration),
            provider: provider,
            timeout: settings.timeout,
            apiKey: settings.apiKey,
            retryPolicy: RetryPolicy(),
            maxResponseBytes: max(1 << 20, settings.maxRequestBytes * 16)
        )
    }

    /// Shuts the HTTP client down, once no translation runs any more.
    public func shutdown() async throws {
        try await client.httpClient.shutdown()
    }

    public var descriptor: TransformDescriptor {
        TransformDescriptor(
            name: "translate",
            version: "1",
            summary: "Translates text, Markdown or HTML with the configured translation service",
            parameters: [
                TransformParameter(
                    name: "to",
                    kind: .string,
                    summary: "The language to translate into, as the service writes it (fr, de, pt-BR)"
                ),
                TransformParameter(
                    name: "from",
                    kind: .string,
                    defaultValue: .string("auto"),
                    summary: "The language of the source; auto lets the service detect it"
                ),
            ],
            primaryParameter: "to",
            accepts: ["text/plain", "text/markdown", "text/html"]
        )
    }

    public func check(_ parameters: TransformParameters) throws(RefractError) {
        guard let target = parameters.string("to") else {
            throw .invalidTransform("translate needs the language to translate into, as in translate:fr.")
        }
        guard LanguageTag.isWellFormed(target) else {
            throw .invalidTransform(
                "translate:to must be a language code such as fr or pt-BR, not \(target.quotedForMessage()).")
        }
        if let source = parameters.string("from"), source != "auto", !LanguageTag.isWellFormed(source) {
            throw .invalidTransform(
                "translate:from must be auto or a language code such as en, not \(source.quotedForMessage()).")
        }
    }

    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let contentType = ContentType(input.contentType)
        guard let format = TextFormat(mediaType: contentType.mediaType) else {
            throw RefractError.unsupportedMediaType(
                "translate does not take \(contentType.mediaType.quotedForMessage()).")
        }
        let encoding = try SourceEncoding(charset: contentType.charset)
        try check(context.parameters)
        let target = context.parameters.string("to") ?? ""
        let source = context.parameters.string("from").flatMap { $0 == "auto" ? nil : $0 }
        var request = TranslationRequest(
            source: nil,
            target: try await serviceCode(target, in: .targets, context: context),
            format: format
        )
        if let source { request.source = try await serviceCode(source, in: .sources, context: context) }
        let envelope = client.provider.envelope(for: request)
        let textBudget = settings.maxRequestBytes - envelope.overhead
        guard textBudget >= Self.minimumTextBudget else {
            context.logger.error(
                "max_request_bytes leaves too little room for text in a request to the translation service",
                metadata: ["translate.max_request_bytes": "\(settings.maxRequestBytes)"]
            )
            throw RefractError.transformFailed(
                "The translation service is configured with requests too small for text.")
        }
        let job = TranslationJob(
            client: client,
            envelope: envelope,
            textBudget: textBudget,
            maxTexts: Self.maxTextsPerRequest,
            concurrency: max(1, settings.concurrency),
            deadline: context.deadline,
            logger: context.logger
        )
        return TransformOutput(
            body: ObjectBody(TranslatedBody(source: input.body, encoding: encoding, format: format, job: job)),
            contentType: "\(contentType.mediaType); charset=utf-8",
            headers: ["content-language": LanguageTag.conventionalCase(request.target)]
        )
    }

    /// The service's spelling of `code`, checked against its language list.
    private func serviceCode(_ code: String, in list: LanguageList, context: TransformContext) async throws -> String {
        let client = client
        let deadline = context.deadline
        let logger = context.logger
        let known = try await languages.canonicalCode(code, in: list) {
            try await client.languageCodes(list, deadline: deadline, logger: logger)
        }
        guard let known else {
            let direction = list == .targets ? "into" : "from"
            throw RefractError.invalidTransform(
                "The translation service does not translate \(direction) \(code.quotedForMessage())."
            )
        }
        return known
    }
}
