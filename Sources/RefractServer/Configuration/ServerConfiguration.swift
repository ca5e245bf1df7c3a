/// `server`: where the gateway listens and how it answers.
public struct ServerConfiguration: Sendable, Equatable {
    /// `host`: the address to bind.
    public var host: String
    /// `port`: the TCP port to bind (0 picks a free one).
    public var port: Int
    /// `cache_control`: the `Cache-Control` header sent on transformed responses.
    public var cacheControl: String
    /// `drain_timeout`: how long in-flight requests may still finish after SIGTERM.
    public var drainTimeout: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        cacheControl: String = "public, max-age=3600",
        drainTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.cacheControl = cacheControl
        self.drainTimeout = drainTimeout
    }
}

extension ServerConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["host", "port", "cache_control", "drain_timeout"])
        self.init()
        if let value = mapping["host"] { host = try value.nonEmptyString() }
        if let value = mapping["port"] { port = try value.integer(in: 0...65535) }
        if let value = mapping["cache_control"] { cacheControl = try value.string() }
        if let value = mapping["drain_timeout"] { drainTimeout = try value.duration() }
    }
}
