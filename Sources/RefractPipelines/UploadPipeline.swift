public import RefractCore

/// Transforms run on the objects written to (or removed from) a bucket, each output stored under a key made from
/// the source's key (`pipelines` in the configuration).
public struct UploadPipeline: Sendable {
    /// One object written from each source.
    public struct Output: Sendable {
        /// Where the output goes, in the pipeline's bucket.
        public var keyTemplate: OutputKeyTemplate
        /// What the source goes through.
        public var pipeline: Pipeline

        public init(keyTemplate: String, pipeline: Pipeline) {
            self.keyTemplate = OutputKeyTemplate(keyTemplate)
            self.pipeline = pipeline
        }
    }

    /// Names the pipeline's jobs; unique among the pipelines.
    public var name: String
    /// The gateway bucket whose objects trigger the pipeline, and where its outputs are written.
    public var bucket: String
    /// The events that trigger it: `put` writes the outputs, `delete` removes them.
    public var events: Set<ObjectEvent.Kind>
    /// Source keys start with it.
    public var prefix: String
    /// Source keys end with one of them; empty matches every key.
    public var suffixes: [String]
    public var outputs: [Output]
    public var retry: RetryPolicy

    public init(
        name: String,
        bucket: String,
        events: Set<ObjectEvent.Kind> = [.put],
        prefix: String = "",
        suffixes: [String] = [],
        outputs: [Output],
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.name = name
        self.bucket = bucket
        self.events = events
        self.prefix = prefix
        self.suffixes = suffixes
        self.outputs = outputs
        self.retry = retry
    }

    /// Whether `key` is one the pipeline runs on: it has the prefix and one of the suffixes.
    public func matches(key: String) -> Bool {
        key.hasPrefix(prefix) && (suffixes.isEmpty || suffixes.contains { key.hasSuffix($0) })
    }

    /// Whether `event` is one the pipeline takes: its bucket, one of its events, a key it matches.
    ///
    /// This says nothing of loops; ``PipelineMatcher`` also leaves out the pipelines' own outputs.
    public func accepts(_ event: ObjectEvent) -> Bool {
        event.bucket == bucket && events.contains(event.kind) && matches(key: event.key)
    }

    /// Whether `key` could be one of this pipeline's outputs, by the outputs' key templates (identity templates
    /// aside, see ``OutputKeyTemplate/isIdentity``).
    public func couldProduce(key: String) -> Bool {
        outputs.contains { !$0.keyTemplate.isIdentity && $0.keyTemplate.couldProduce(key) }
    }
}
