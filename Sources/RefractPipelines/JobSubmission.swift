/// An event to be run through one pipeline: what ``JobQueue/enqueue(_:)`` takes.
public struct JobSubmission: Sendable, Hashable {
    /// The pipeline's name.
    public var pipeline: String
    public var event: ObjectEvent
    /// The pipeline's retry policy, kept with the job.
    public var retry: RetryPolicy
    /// Whether the event is taken whatever the queue accepted before for the object: a backfill redoes outputs on
    /// purpose. Otherwise an event that is not newer than the last one accepted for the object (by sequencer), or a
    /// put of the ETag last accepted, is a duplicate and is left out.
    public var bypassesDeduplication: Bool

    public init(pipeline: String, event: ObjectEvent, retry: RetryPolicy, bypassesDeduplication: Bool = false) {
        self.pipeline = pipeline
        self.event = event
        self.retry = retry
        self.bypassesDeduplication = bypassesDeduplication
    }

    /// The submission of `event` to `pipeline`.
    public init(event: ObjectEvent, pipeline: UploadPipeline, bypassesDeduplication: Bool = false) {
        self.init(
            pipeline: pipeline.name, event: event, retry: pipeline.retry, bypassesDeduplication: bypassesDeduplication)
    }
}
