import Foundation
import Logging
public import RefractCore
public import RefractPipelines

/// The configured upload pipelines with their queue: what the gateway's writes and S3 notifications enqueue, and
/// what its worker runs.
public struct UploadPipelines: Sendable {
    public let pipelines: [UploadPipeline]
    public let queue: any JobQueue
    let matcher: PipelineMatcher

    /// Makes each configured pipeline's outputs into pipelines of `registry`, failing with the output's key path.
    public init(
        configuration: [PipelineConfiguration],
        registry: TransformRegistry,
        queue: any JobQueue
    ) throws(ConfigurationError) {
        var pipelines: [UploadPipeline] = []
        for (index, pipeline) in configuration.enumerated() {
            var outputs: [UploadPipeline.Output] = []
            for (outputIndex, output) in pipeline.outputs.enumerated() {
                do {
                    outputs.append(
                        UploadPipeline.Output(
                            keyTemplate: output.key, pipeline: try registry.pipeline(steps: output.pipeline))
                    )
                } catch {
                    throw ConfigurationError(
                        path: "pipelines[\(index)].outputs[\(outputIndex)].pipeline", problem: error.message)
                }
            }
            pipelines.append(
                UploadPipeline(
                    name: pipeline.name,
                    bucket: pipeline.bucket,
                    events: Set(pipeline.events.map { $0 == .put ? ObjectEvent.Kind.put : .delete }),
                    prefix: pipeline.match.prefix,
                    suffixes: pipeline.match.suffixes,
                    outputs: outputs,
                    retry: RetryPolicy(
                        maxAttempts: pipeline.retry.maxAttempts,
                        backoff: pipeline.retry.backoff,
                        maxBackoff: pipeline.retry.maxBackoff
                    )
                )
            )
        }
        self.pipelines = pipelines
        self.queue = queue
        matcher = PipelineMatcher(pipelines: pipelines)
    }

    /// Commits the jobs `event` triggers; returns once they are durable.
    @discardableResult
    func record(_ event: ObjectEvent, userMetadata: [String: String]? = nil) async throws -> [PipelineJob] {
        let triggered = matcher.pipelines(triggeredBy: event, userMetadata: userMetadata)
        return try await queue.enqueue(event, for: triggered)
    }

    /// A write or removal the gateway itself made, ordered by the queue's clock.
    func event(_ kind: ObjectEvent.Kind, bucket: String, key: String, etag: String?, size: Int?) -> ObjectEvent {
        ObjectEvent(bucket: bucket, key: key, kind: kind, etag: etag, size: size, sequencer: queue.sequencers.next())
    }

    /// Whether any pipeline runs on `bucket`: the gateway records its writes there only then.
    func watches(bucket: String) -> Bool {
        pipelines.contains { $0.bucket == bucket }
    }
}
