public import Logging

/// `log`: what is logged and how.
public struct LogConfiguration: Sendable, Equatable {
    /// `level`: the lowest level logged: trace, debug, info, notice, warning, error or critical.
    public var level: Logger.Level
    /// `format`: text or JSON lines.
    public var format: LogFormat

    public init(level: Logger.Level = .info, format: LogFormat = .text) {
        self.level = level
        self.format = format
    }
}

extension LogConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["level", "format"])
        self.init()
        if let value = mapping["level"] { level = try value.choice(of: Logger.Level.self) }
        if let value = mapping["format"] { format = try value.choice(of: LogFormat.self) }
    }
}
