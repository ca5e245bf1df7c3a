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
    /// `max_frames`: the most frames of an animated image that are decoded and resized.
    public var maxFrames: Int
    /// `memory_limit`: ImageMagick's memory resource limit, across all images in flight.
    public var memoryLimit: Int
    /// `map_limit`: ImageMagick's memory-map resource limit.
    public var mapLimit: Int
    /// `disk_limit`: ImageMagick's pixel-cache disk limit, for images over the memory and map limits; 0 refuses them.
    public var diskLimit: Int

    public init(
        maxSourceBytes: Int = 50 << 20,
        maxSourcePixels: Int = 50_000_000,
        maxDimension: Int = 8192,
        workers: Int = 0,
        queueLimit: Int = 64,
        maxFrames: Int = 100,
        memoryLimit: Int = 256 << 20,
        mapLimit: Int = 512 << 20,
        diskLimit: Int = 1 << 30
    ) {
        self.maxSourceBytes = maxSourceBytes
        self.maxSourcePixels = maxSourcePixels
        self.maxDimension = maxDimension
        self.workers = workers
        self.queueLimit = queueLimit
        self.maxFrames = maxFrames
        self.memoryLimit = memoryLimit
        self.mapLimit = mapLimit
        self.diskLimit = diskLimit
    }
}

extension ImageTransformConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: [
            "max_source_bytes", "max_source_pixels", "max_dimension", "workers", "queue_limit", "max_frames",
            "memory_limit", "map_limit", "disk_limit",
        ])
        self.init()
        if let value = mapping["max_source_bytes"] { maxSourceBytes = try value.byteCount() }
        if let value = mapping["max_source_pixels"] { maxSourcePixels = try value.integer(in: 1...Int.max) }
        if let value = mapping["max_dimension"] { maxDimension = try value.integer(in: 1...65535) }
        if let value = mapping["workers"] { workers = try value.integer(in: 0...1024) }
        if let value = mapping["queue_limit"] { queueLimit = try value.integer(in: 0...Int.max) }
        if let value = mapping["max_frames"] { maxFrames = try value.integer(in: 1...10_000) }
        if let value = mapping["memory_limit"] { memoryLimit = try value.byteCount() }
        if let value = mapping["map_limit"] { mapLimit = try value.byteCount() }
        if let value = mapping["disk_limit"] { diskLimit = try value.byteCount() }
    }
}
