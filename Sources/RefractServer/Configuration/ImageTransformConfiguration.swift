/// `transforms.image`: limits of the image transforms.
public struct ImageTransformConfiguration: Sendable, Equatable {
    /// `max_source_bytes`: larger sources fail with `SourceTooLarge` before they are decoded.
    public var maxSourceBytes: Int
    /// `max_source_pixels`: sources with more pixels (width × height) fail with `SourceTooLarge`.
    public var maxSourcePixels: Int
    /// `max_dimension`: the largest width or height a transform may produce.
    public var maxDimension: Int
    /// `workers`: how many images are processed at once; 0 means one per core.
    public var workers: Int
    /// `queue_limit`: how many images may wait for a worker; beyond that requests get `503 SlowDown`.
    public var queueLimit: Int

    public init(
        maxSourceBytes: Int = 50 << 20,
        maxSourcePixels: Int = 50_000_000,
        maxDimension: Int = 8192,
        workers: Int = 0,
        queueLimit: Int = 64
    ) {
        self.maxSourceBytes = maxSourceBytes
        self.maxSourcePixels = maxSourcePixels
        self.maxDimension = maxDimension
        self.workers = workers
        self.queueLimit = queueLimit
    }
}

extension ImageTransformConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: [
            "max_source_bytes", "max_source_pixels", "max_dimension", "workers", "queue_limit",
        ])
        self.init()
        if let value = mapping["max_source_bytes"] { maxSourceBytes = try value.byteCount() }
        if let value = mapping["max_source_pixels"] { maxSourcePixels = try value.integer(in: 1...Int.max) }
        if let value = mapping["max_dimension"] { maxDimension = try value.integer(in: 1...65535) }
        if let value = mapping["workers"] { workers = try value.integer(in: 0...1024) }
        if let value = mapping["queue_limit"] { queueLimit = try value.integer(in: 0...Int.max) }
    }
}
