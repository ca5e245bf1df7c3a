/// One entry of `stores`: an object store that buckets live in.
public struct StoreConfiguration: Sendable, Equatable {
    /// The kind of store and its settings.
    public enum Kind: Sendable, Equatable {
        /// `type: filesystem`: each bucket is a folder under `root`.
        case filesystem(root: String)
        /// `type: s3`: an S3-compatible service (AWS S3, MinIO, ...).
        case s3(S3StoreConfiguration)
    }

    /// The names of `type`, as written in the configuration.
    enum KindName: String, CaseIterable {
        case filesystem
        case s3
    }

    /// `type` and the settings that go with it.
    public var kind: Kind

    public init(kind: Kind) {
        self.kind = kind
    }

    /// The store used when `stores` is not configured: `local`, a filesystem store at `./storage`.
    public static let defaultStores: [String: StoreConfiguration] = [
        "local": StoreConfiguration(kind: .filesystem(root: "./storage"))
    ]
}

extension StoreConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping()
        switch try mapping.required("type", "(filesystem or s3)").choice(of: KindName.self) {
        case .filesystem:
            try mapping.checkKeys(allowed: ["type", "root"], "for type filesystem")
            self.init(kind: .filesystem(root: try mapping.required("root", "for type filesystem").nonEmptyString()))
        case .s3:
            try mapping.checkKeys(allowed: S3StoreConfiguration.keys, "for type s3")
            self.init(kind: .s3(try S3StoreConfiguration(from: mapping)))
        }
    }
}
