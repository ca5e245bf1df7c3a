/// One entry of `access_points`: a name S3 clients use as a bucket, serving a bucket's objects through a
/// pipeline (`GET /thumbs/cat.jpg` = `GET /photos/cat.jpg!resize:w=300!format:webp`).
public struct AccessPointConfiguration: Sendable, Equatable {
    /// `bucket`: the supporting bucket.
    public var bucket: String
    /// `pipeline`: the transform suffix applied to every object, as written after the first `!`.
    public var pipeline: String
    /// `payload`: a value passed to plugins as `configuration.payload`, as compact JSON text.
    public var payload: String?

    public init(bucket: String, pipeline: String, payload: String? = nil) {
        self.bucket = bucket
        self.pipeline = pipeline
        self.payload = payload
    }
}

extension AccessPointConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["bucket", "pipeline", "payload"])
        self.init(
            bucket: try mapping.required("bucket").nonEmptyString(),
            pipeline: try mapping.required("pipeline").nonEmptyString(),
            payload: try mapping["payload"]?.json()
        )
    }
}
