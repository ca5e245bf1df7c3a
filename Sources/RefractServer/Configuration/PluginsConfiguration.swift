/// `transforms.plugins`: where plugin transforms are found.
public struct PluginsConfiguration: Sendable, Equatable {
    /// `dir`: the folder holding one `NAME/transform.yml` folder per plugin, relative to the working directory.
    public var dir: String

    public init(dir: String = "./transforms") {
        self.dir = dir
    }
}

extension PluginsConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["dir"])
        self.init()
        if let value = mapping["dir"] { dir = try value.nonEmptyString() }
    }
}
