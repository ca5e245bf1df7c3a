/// Decides which pipelines an object event triggers, keeping the pipelines' own outputs from triggering any.
///
/// An output never triggers a pipeline: neither when its key could be an output of a pipeline of its bucket (the
/// key templates' patterns), nor when it carries the `refract-source` metadata every output is written with.
public struct PipelineMatcher: Sendable {
    /// The user metadata (`x-amz-meta-refract-source`) that marks an object as a pipeline output:
    /// `bucket/key@etag` of its source.
    public static let sourceMetadataKey = "refract-source"

    public let pipelines: [UploadPipeline]

    public init(pipelines: [UploadPipeline]) {
        self.pipelines = pipelines
    }

    /// The pipelines `event` triggers, in configuration order.
    ///
    /// - Parameter userMetadata: the written object's user metadata (names lower-case, without `x-amz-meta-`),
    ///   when the caller has it: the PUT's own headers, or the notification's.
    public func pipelines(triggeredBy event: ObjectEvent, userMetadata: [String: String]? = nil) -> [UploadPipeline] {
        guard !isOutput(bucket: event.bucket, key: event.key, userMetadata: userMetadata) else { return [] }
        return pipelines.filter { $0.accepts(event) }
    }

    /// Whether the object is, or could be, an output of a pipeline of `bucket`.
    public func isOutput(bucket: String, key: String, userMetadata: [String: String]? = nil) -> Bool {
        if userMetadata?[Self.sourceMetadataKey] != nil { return true }
        return pipelines.contains { $0.bucket == bucket && $0.couldProduce(key: key) }
    }
}
