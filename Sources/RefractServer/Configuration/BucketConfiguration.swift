import RefractStorage

/// One entry of `buckets`: a bucket clients see, and where its objects are stored.
public struct BucketConfiguration: Sendable, Equatable {
    /// `store`: the name of the store holding the objects.
    public var store: String
    /// `name`: the bucket's name in the store (a folder of a filesystem store); by default the bucket's own name.
    public var name: String
    /// `public`: anonymous clients may get, head and list objects and request transforms.
    public var isPublic: Bool

    public init(store: String, name: String, isPublic: Bool = false) {
        self.store = store
        self.name = name
        self.isPublic = isPublic
    }

    /// Whether `name` follows S3's bucket naming rules: 3 to 63 characters of `a-z`, `0-9`, `.` and `-`, starting
    /// and ending with a letter or digit, no `..`, not shaped like an IP address, none of S3's reserved affixes.
    public static func isValidName(_ name: String) -> Bool {
        BucketName.isValid(name)
    }

    static let nameRule =
        "bucket names are 3 to 63 characters of a-z, 0-9, \".\" and \"-\", starting and ending "
        + "with a letter or digit"
}

extension BucketConfiguration {
    /// Reads the bucket `key`; a missing `store` is the only configured store, if there is just one.
    init(from node: ConfigurationNode, key: String, stores: [String: StoreConfiguration])
        throws(ConfigurationError)
    {
        let mapping = try node.mapping(allowedKeys: ["store", "name", "public"])
        let storeNames = stores.keys.sorted().joined(separator: ", ")
        let store: String
        if let value = mapping["store"] {
            store = try value.nonEmptyString()
            guard stores[store] != nil else {
                throw value.error("no store named \"\(store)\" (stores: \(storeNames))")
            }
        } else if stores.count == 1, let only = stores.keys.first {
            store = only
        } else {
            throw mapping.missing("store", "when several stores are configured (stores: \(storeNames))")
        }
        self.init(store: store, name: key)
        if let value = mapping["name"] {
            name = try value.nonEmptyString()
            if case .filesystem = stores[store]?.kind, name.contains("/") || name == "." || name == ".." {
                throw value.error("expected a folder name of the filesystem store, got \"\(name)\"")
            }
        }
        if let value = mapping["public"] { isPublic = try value.boolean() }
    }
}
