/// The settings of a store with `type: s3`.
public struct S3StoreConfiguration: Sendable, Equatable {
    /// `endpoint`: the service's base URL, e.g. `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com`.
    public var endpoint: String
    /// `region`: the region requests are signed for.
    public var region: String
    /// `access_key_id`: the gateway's own credentials at the store.
    public var accessKeyID: String
    /// `secret_access_key`.
    public var secretAccessKey: String
    /// `path_style`: address buckets as `endpoint/bucket/key` (true, as MinIO needs) rather than as
    /// `bucket.endpoint/key`.
    public var pathStyle: Bool
    /// `connect_timeout`: how long a connection to the store may take to open.
    public var connectTimeout: Duration
    /// `read_timeout`: how long the store may leave a request without an answer or more bytes.
    public var readTimeout: Duration

    public init(
        endpoint: String,
        region: String = "us-east-1",
        accessKeyID: String,
        secretAccessKey: String,
        pathStyle: Bool = true,
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.pathStyle = pathStyle
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    static let keys = [
        "type", "endpoint", "region", "access_key_id", "secret_access_key", "path_style", "connect_timeout",
        "read_timeout",
    ]
}

extension S3StoreConfiguration {
    init(from mapping: ConfigurationMapping) throws(ConfigurationError) {
        self.init(
            endpoint: try mapping.required("endpoint", "for type s3").httpURL(),
            accessKeyID: try mapping.required("access_key_id", "for type s3").nonEmptyString(),
            secretAccessKey: try mapping.required("secret_access_key", "for type s3").nonEmptyString()
        )
        if let value = mapping["region"] { region = try value.nonEmptyString() }
        if let value = mapping["path_style"] { pathStyle = try value.boolean() }
        if let value = mapping["connect_timeout"] { connectTimeout = try value.duration(positive: true) }
        if let value = mapping["read_timeout"] { readTimeout = try value.duration(positive: true) }
    }
}
