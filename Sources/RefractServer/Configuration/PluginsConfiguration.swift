/// `transforms.plugins`: where plugin transforms are found, and how their functions reach the gateway.
public struct PluginsConfiguration: Sendable, Equatable {
    /// `dir`: the folder holding one `NAME/transform.yml` folder per plugin, relative to the working directory.
    public var dir: String
    /// `gateway_url`: the gateway's address as http functions reach it (their `inputS3Url` and
    /// `WriteGetObjectResponse`); nil for the address it listens on.
    public var gatewayURL: String?

    public init(dir: String = "./transforms", gatewayURL: String? = nil) {
        self.dir = dir
        self.gatewayURL = gatewayURL
    }
}

extension PluginsConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["dir", "gateway_url"])
        self.init()
        if let value = mapping["dir"] { dir = try value.nonEmptyString() }
        if let value = mapping["gateway_url"] { gatewayURL = try value.httpURL() }
    }
}
