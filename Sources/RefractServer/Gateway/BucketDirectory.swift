import Logging
import RefractCore
import RefractPipelines
import RefractStorage

/// Where a bucket name that clients use leads: a store and the store's own name for the bucket.
struct BucketRoute: Sendable {
    /// The name clients use.
    let name: String
    let store: any ObjectStore
    /// The store's name for the bucket (`buckets.X.name`).
    let storeBucket: String
    /// Anonymous clients may read (`public: true`).
    let isPublic: Bool
}

/// The buckets of the configuration, or, when it names none, every folder of the filesystem store.
struct BucketDirectory: Sendable {
    /// The stores by their configured name.
    let stores: [String: any ObjectStore]
    private let logger: Logger
    private let configured: [String: BucketRoute]
    /// Set when the configuration names no bucket: each of its folders is then a public bucket.
    private let discovered: FilesystemStore?

    init(configuration: RefractConfiguration, logger: Logger) throws(RefractError) {
        var stores: [String: any ObjectStore] = [:]
        var filesystemStores: [String: FilesystemStore] = [:]
        for (name, store) in configuration.stores {
            switch store.kind {
            case .filesystem(let root):
                let filesystem = FilesystemStore(root: root, logger: logger)
                stores[name] = filesystem
                filesystemStores[name] = filesystem
            case .s3(let s3):
                let settings = try S3StoreSettings(
                    endpoint: s3.endpoint,
                    region: s3.region,
                    credentials: SigV4Credentials(accessKeyID: s3.accessKeyID, secretAccessKey: s3.secretAccessKey),
                    pathStyle: s3.pathStyle,
                    connectTimeout: s3.connectTimeout,
                    readTimeout: s3.readTimeout
                )
                stores[name] = S3Store(name: name, settings: settings, logger: logger)
            }
        }
        self.stores = stores
        self.logger = logger
        var configured: [String: BucketRoute] = [:]
        for (name, bucket) in configuration.buckets {
            guard let store = stores[bucket.store] else {
                throw RefractError.invalidArgument("buckets.\(name).store: no store named \(bucket.store).")
            }
            configured[name] = BucketRoute(
                name: name,
                store: store,
                storeBucket: bucket.name,
                isPublic: bucket.isPublic
            )
        }
        self.configured = configured
        discovered = configuration.buckets.isEmpty ? (filesystemStores["local"] ?? filesystemStores.values.first) : nil
    }

    /// The route of a bucket, or `NoSuchBucket`.
    func route(_ name: String) async throws -> BucketRoute {
        if let route = configured[name] { return route }
        guard let discovered, BucketName.isValid(name) else { throw RefractError.noSuchBucket() }
        try await discovered.checkBucket(name)
        return BucketRoute(name: name, store: discovered, storeBucket: name, isPublic: true)
    }

    /// Where the objects of bucket `name` are, without asking the store; nil for a bucket that does not exist.
    func storeBucket(_ name: String) -> StoreBucket? {
        if let route = configured[name] { return StoreBucket(store: route.store, bucket: route.storeBucket) }
        guard let discovered, BucketName.isValid(name) else { return nil }
        return StoreBucket(store: discovered, bucket: name)
    }

    /// Closes the stores' connections.
    func shutdown() async {
        for (name, store) in stores {
            do {
                try await store.shutdown()
            } catch {
                logger.warning("store did not shut down cleanly", metadata: ["store": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// The names clients can use, sorted.
    func bucketNames() async throws -> [String] {
        guard let discovered else { return configured.keys.sorted() }
        return try discovered.bucketNames()
    }
}
