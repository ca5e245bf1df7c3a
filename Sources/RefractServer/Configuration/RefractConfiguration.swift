/// The gateway's configuration, `refract.yml` (SPEC §3, §4), every key defaulted.
///
/// Read it with ``load(path:environment:)`` or ``parse(yaml:environment:)``: both refuse unknown keys, bad
/// values and dangling references with the key's path in the message.
public struct RefractConfiguration: Sendable, Equatable {
    /// `server`.
    public var server: ServerConfiguration
    /// `stores`: by name; by default only `local`, a filesystem store at `./storage`.
    public var stores: [String: StoreConfiguration]
    /// `buckets`: by the name clients use. Empty (the default) means every folder of the `local` filesystem
    /// store is a public bucket.
    public var buckets: [String: BucketConfiguration]
    /// `access_points`: by the name clients use as a bucket.
    public var accessPoints: [String: AccessPointConfiguration]
    /// `presets`: step names that stand for a pipeline (`thumb` → `resize:w=200,h=200,fit=cover`).
    public var presets: [String: String]
    /// `transforms`.
    public var transforms: TransformsConfiguration
    /// `security`.
    public var security: SecurityConfiguration
    /// `pipelines`: upload pipelines, in the order configured.
    public var pipelines: [PipelineConfiguration]
    /// `queue`.
    public var queue: QueueConfiguration
    /// `log`.
    public var log: LogConfiguration

    public init(
        server: ServerConfiguration = ServerConfiguration(),
        stores: [String: StoreConfiguration] = StoreConfiguration.defaultStores,
        buckets: [String: BucketConfiguration] = [:],
        accessPoints: [String: AccessPointConfiguration] = [:],
        presets: [String: String] = [:],
        transforms: TransformsConfiguration = TransformsConfiguration(),
        security: SecurityConfiguration = SecurityConfiguration(),
        pipelines: [PipelineConfiguration] = [],
        queue: QueueConfiguration = QueueConfiguration(),
        log: LogConfiguration = LogConfiguration()
    ) {
        self.server = server
        self.stores = stores
        self.buckets = buckets
        self.accessPoints = accessPoints
        self.presets = presets
        self.transforms = transforms
        self.security = security
        self.pipelines = pipelines
        self.queue = queue
        self.log = log
    }
}
