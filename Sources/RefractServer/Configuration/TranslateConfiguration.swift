/// `transforms.translate`: the translation service behind the `translate` transform.
public struct TranslateConfiguration: Sendable, Equatable {
    /// `provider`: which translation API `url` speaks.
    public enum Provider: String, Sendable, Equatable, CaseIterable {
        /// LibreTranslate's `/translate` API.
        case libretranslate
        /// DeepL's `/v2/translate` API.
        case deepl
    }

    /// `provider`: LibreTranslate (the default) or DeepL.
    public var provider: Provider
    /// `url`: the service's base URL. By default LibreTranslate at `http://127.0.0.1:5000`, or DeepL's free API
    /// (`https://api-free.deepl.com`) for keys ending in `:fx` and its paid API (`https://api.deepl.com`) otherwise.
    public var url: String
    /// `api_key`: the key sent to the service; nil when none is configured.
    public var apiKey: String?
    /// `max_request_bytes`: the largest request body sent; longer texts are split into several requests.
    public var maxRequestBytes: Int
    /// `concurrency`: how many requests may be in flight to the service at once.
    public var concurrency: Int
    /// `timeout`: how long one request to the service may take.
    public var timeout: Duration

    public init(
        provider: Provider = .libretranslate,
        url: String? = nil,
        apiKey: String? = nil,
        maxRequestBytes: Int = 8000,
        concurrency: Int = 4,
        timeout: Duration = .seconds(10)
    ) {
        self.provider = provider
        self.url = url ?? Self.defaultURL(provider: provider, apiKey: apiKey)
        self.apiKey = apiKey
        self.maxRequestBytes = maxRequestBytes
        self.concurrency = concurrency
        self.timeout = timeout
    }

    private static func defaultURL(provider: Provider, apiKey: String?) -> String {
        switch provider {
        case .libretranslate: "http://127.0.0.1:5000"
        case .deepl: apiKey?.hasSuffix(":fx") == true ? "https://api-free.deepl.com" : "https://api.deepl.com"
        }
    }
}

extension TranslateConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: [
            "provider", "url", "api_key", "max_request_bytes", "concurrency", "timeout",
        ])
        let provider = try mapping["provider"]?.choice(of: Provider.self) ?? .libretranslate
        let apiKey = try mapping["api_key"]?.optionalString()
        if provider == .deepl, apiKey == nil {
            throw mapping.missing("api_key", "for provider deepl")
        }
        self.init(provider: provider, url: try mapping["url"]?.httpURL(), apiKey: apiKey)
        if let value = mapping["max_request_bytes"] { maxRequestBytes = try value.byteCount(atLeast: 256) }
        if let value = mapping["concurrency"] { concurrency = try value.integer(in: 1...1024) }
        if let value = mapping["timeout"] { timeout = try value.duration(positive: true) }
    }
}
