/// `transforms.exif`: how much of an object the `exif` transform reads.
public struct ExifConfiguration: Sendable, Equatable {
    /// `head_bytes`: the length of the ranged read at the start of the object that metadata is looked for in.
    public var headBytes: Int

    public init(headBytes: Int = 256 << 10) {
        self.headBytes = headBytes
    }
}

extension ExifConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["head_bytes"])
        self.init()
        if let value = mapping["head_bytes"] { headBytes = try value.byteCount(atLeast: 1024) }
    }
}
