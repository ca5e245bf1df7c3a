public import RefractCore

/// A plugin's `transform.yml`: what the transform is called, what it takes and how it runs.
public struct PluginManifest: Sendable {
    /// How the gateway runs the plugin.
    public enum Runtime: Sendable, Equatable {
        /// `runtime: exec`: `command` is started once per request, in the plugin's folder.
        case exec(command: [String])
        /// `runtime: http`: the event is POSTed to `url`, as S3 Object Lambda posts it to a function.
        case http(url: String)
    }

    /// `name`, `version`, `description`, `accepts` and `parameters`, as the registry sees them.
    public var descriptor: TransformDescriptor
    public var runtime: Runtime
    /// `timeout`: how long one run may take; the request's own deadline can end it sooner.
    public var timeout: Duration
    /// `concurrency`: runs at once; further requests wait for a free run.
    public var concurrency: Int
    /// `queue_limit`: requests that may wait for a run; one more is refused with `SlowDown`.
    public var queueLimit: Int
    /// `max_output`: the most bytes one run may write; a run writing more is stopped.
    public var maxOutputBytes: Int
    /// The plugin's folder (`transforms/NAME`), where an exec command runs.
    public var directory: String

    public init(
        descriptor: TransformDescriptor,
        runtime: Runtime,
        timeout: Duration = .seconds(10),
        concurrency: Int = 8,
        queueLimit: Int = 64,
        maxOutputBytes: Int = 1 << 30,
        directory: String
    ) {
        self.descriptor = descriptor
        self.runtime = runtime
        self.timeout = timeout
        self.concurrency = concurrency
        self.queueLimit = queueLimit
        self.maxOutputBytes = maxOutputBytes
        self.directory = directory
    }
}
