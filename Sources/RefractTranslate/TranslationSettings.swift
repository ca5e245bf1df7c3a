/// How the `translate` transform reaches its translation service: `transforms.translate` in the configuration,
/// without depending on the configuration's types.
public struct TranslationSettings: Sendable, Equatable {
    /// The wire protocol the service speaks.
    public enum Provider: String, Sendable, Equatable, CaseIterable {
        /// LibreTranslate: `POST {url}/translate`, `GET {url}/languages`, the key as `api_key` in the body.
        case libreTranslate = "libretranslate"
        /// DeepL API v2: `POST {url}/v2/translate`, `GET {url}/v2/languages`, the key in `Authorization`.
        case deepL = "deepl"
    }

    public var provider: Provider
    /// The service's base URL, such as `http://127.0.0.1:5000` or `https://api-free.deepl.com`.
    public var url: String
    /// The key sent to the service; nil sends none (a LibreTranslate that needs no key).
    public var apiKey: String?
    /// The largest request body sent, in bytes, counted exactly as sent (the JSON text); longer texts are split
    /// into several requests.
    public var maxRequestBytes: Int
    /// How many requests may be in flight to the service at once, for one translated object.
    public var concurrency: Int
    /// How long one request to the service may take; a slower one is abandoned and retried.
    public var timeout: Duration

    public init(
        provider: Provider,
        url: String,
        apiKey: String? = nil,
        maxRequestBytes: Int = 8000,
        concurrency: Int = 4,
        timeout: Duration = .seconds(10)
    ) {
        self.provider = provider
        self.url = url
        self.apiKey = apiKey
        self.maxRequestBytes = maxRequestBytes
        self.concurrency = concurrency
        self.timeout = timeout
    }
}
