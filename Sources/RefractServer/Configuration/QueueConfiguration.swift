/// `queue`: where pipeline jobs are kept.
public struct QueueConfiguration: Sendable, Equatable {
    /// `url`: `sqlite://PATH` (a file, relative to the working directory unless absolute), or
    /// `postgres://...` to share the queue between several gateways.
    public var url: String

    public init(url: String = "sqlite://./state/refract.db") {
        self.url = url
    }
}

extension QueueConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["url"])
        self.init()
        if let value = mapping["url"] {
            url = try value.nonEmptyString()
            let schemes = ["sqlite://", "postgres://", "postgresql://"]
            guard let scheme = schemes.first(where: { url.lowercased().hasPrefix($0) }), url.count > scheme.count
            else {
                throw value.error("expected a sqlite:// or postgres:// URL, got \"\(url)\"")
            }
        }
    }
}
