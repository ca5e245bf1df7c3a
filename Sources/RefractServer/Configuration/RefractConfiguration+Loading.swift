import Foundation

extension RefractConfiguration {
    /// The configuration in the file at `path`, or the built-in defaults when `path` is nil.
    ///
    /// `${VAR}` and `${VAR:-default}` in values are expanded from `environment`. A `path` that does not exist
    /// is an error: pass nil when the default `./refract.yml` is absent.
    public static func load(
        path: String?,
        environment: [String: String]
    ) throws(ConfigurationError) -> RefractConfiguration {
        guard let path else { return RefractConfiguration() }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(file: path, problem: "no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(file: path, problem: "cannot read the file: \(error.localizedDescription)")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, problem: "the file is not UTF-8 text")
        }
        return try decode(yaml: yaml, source: ConfigurationSource(file: path, environment: environment))
    }

    /// The configuration written in `yaml`; an empty document gives the built-in defaults.
    public static func parse(
        yaml: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> RefractConfiguration {
        try decode(yaml: yaml, source: ConfigurationSource(file: nil, environment: environment))
    }

    private static let keys = [
        "server", "stores", "buckets", "access_points", "presets", "transforms", "security", "pipelines", "queue",
        "log",
    ]

    private static func decode(yaml: String, source: ConfigurationSource) throws(ConfigurationError) -> Self {
        var configuration = RefractConfiguration()
        guard let root = try source.root(of: yaml), !root.isNull else { return configuration }
        let document = try root.mapping(allowedKeys: keys)

        if let value = document["server"] { configuration.server = try ServerConfiguration(from: value) }
        if let value = document["stores"] { configuration.stores = try decodeStores(value) }
        if let value = document["buckets"] {
            configuration.buckets = try decodeBuckets(value, stores: configuration.stores)
        }
        try checkFolderBuckets(configuration, document: document)
        if let value = document["access_points"] {
            configuration.accessPoints = try decodeAccessPoints(value, buckets: configuration.buckets)
        }
        if let value = document["presets"] { configuration.presets = try decodePresets(value) }
        if let value = document["transforms"] { configuration.transforms = try TransformsConfiguration(from: value) }
        if let value = document["security"] {
            configuration.security = try SecurityConfiguration(
                from: value,
                bucketNames: Set(configuration.buckets.keys),
                accessPointNames: Set(configuration.accessPoints.keys)
            )
        }
        if let value = document["pipelines"] {
            configuration.pipelines = try decodePipelines(value, buckets: configuration.buckets)
        }
        if let value = document["queue"] { configuration.queue = try QueueConfiguration(from: value) }
        if let value = document["log"] { configuration.log = try LogConfiguration(from: value) }
        return configuration
    }

    private static func decodeStores(
        _ node: ConfigurationNode
    ) throws(ConfigurationError) -> [String: StoreConfiguration] {
        var stores: [String: StoreConfiguration] = [:]
        for entry in try node.mapping().entries {
            stores[entry.key] = try StoreConfiguration(from: entry.value)
        }
        guard !stores.isEmpty else { throw node.error("expected at least one store") }
        return stores
    }

    private static func decodeBuckets(
        _ node: ConfigurationNode,
        stores: [String: StoreConfiguration]
    ) throws(ConfigurationError) -> [String: BucketConfiguration] {
        var buckets: [String: BucketConfiguration] = [:]
        for entry in try node.mapping().entries {
            try checkBucketName(entry)
            buckets[entry.key] = try BucketConfiguration(from: entry.value, key: entry.key, stores: stores)
        }
        return buckets
    }

    /// With no buckets configured, the folders of the `local` filesystem store are the buckets: it must exist.
    private static func checkFolderBuckets(
        _ configuration: RefractConfiguration,
        document: ConfigurationMapping
    ) throws(ConfigurationError) {
        guard configuration.buckets.isEmpty else { return }
        if case .filesystem = configuration.stores["local"]?.kind { return }
        throw document.missing(
            "buckets",
            "unless there is a filesystem store named \"local\", whose folders are then the buckets"
        )
    }

    private static func decodeAccessPoints(
        _ node: ConfigurationNode,
        buckets: [String: BucketConfiguration]
    ) throws(ConfigurationError) -> [String: AccessPointConfiguration] {
        var accessPoints: [String: AccessPointConfiguration] = [:]
        for entry in try node.mapping().entries {
            try checkBucketName(entry)
            if buckets[entry.key] != nil {
                throw entry.keyError(
                    "\"\(entry.key)\" is a bucket already: access points and buckets share one namespace"
                )
            }
            let accessPoint = try AccessPointConfiguration(from: entry.value)
            let bucketNode = try entry.value.mapping().required("bucket")
            try checkBucketReference(accessPoint.bucket, at: bucketNode, buckets: buckets)
            accessPoints[entry.key] = accessPoint
        }
        return accessPoints
    }

    private static func decodePresets(_ node: ConfigurationNode) throws(ConfigurationError) -> [String: String] {
        var presets: [String: String] = [:]
        for entry in try node.mapping().entries {
            let isStepName = entry.key.unicodeScalars.allSatisfy { $0.isASCIILetterOrDigit || $0 == "_" || $0 == "-" }
            guard isStepName, !entry.key.isEmpty else {
                throw entry.keyError("a preset name is used as a step: letters, digits, \"_\" and \"-\" only")
            }
            presets[entry.key] = try entry.value.nonEmptyString()
        }
        return presets
    }

    private static func decodePipelines(
        _ node: ConfigurationNode,
        buckets: [String: BucketConfiguration]
    ) throws(ConfigurationError) -> [PipelineConfiguration] {
        var pipelines: [PipelineConfiguration] = []
        for element in try node.list() {
            let pipeline = try PipelineConfiguration(from: element)
            let mapping = try element.mapping()
            if pipelines.contains(where: { $0.name == pipeline.name }) {
                throw try mapping.required("name").error("another pipeline is named \"\(pipeline.name)\"")
            }
            try checkBucketReference(pipeline.bucket, at: try mapping.required("bucket"), buckets: buckets)
            pipelines.append(pipeline)
        }
        return pipelines
    }

    private static func checkBucketName(_ entry: ConfigurationMapping.Entry) throws(ConfigurationError) {
        guard BucketConfiguration.isValidName(entry.key) else {
            throw entry.keyError("\"\(entry.key)\" is not a valid bucket name: \(BucketConfiguration.nameRule)")
        }
    }

    /// `name` must be a configured bucket, or, when none are configured, a possible folder of the `local` store.
    private static func checkBucketReference(
        _ name: String,
        at node: ConfigurationNode,
        buckets: [String: BucketConfiguration]
    ) throws(ConfigurationError) {
        if buckets.isEmpty {
            guard BucketConfiguration.isValidName(name) else {
                throw node.error("\"\(name)\" is not a valid bucket name: \(BucketConfiguration.nameRule)")
            }
        } else if buckets[name] == nil {
            let names = buckets.keys.sorted().joined(separator: ", ")
            throw node.error("no bucket named \"\(name)\" (buckets: \(names))")
        }
    }
}
