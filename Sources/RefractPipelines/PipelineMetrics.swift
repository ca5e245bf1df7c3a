import Metrics

/// The pipeline metrics, through swift-metrics, to the factory the worker was given (the gateway's own registry).
struct PipelineMetrics: Sendable {
    /// Jobs finished, by pipeline and result: `done`, `superseded`, `skipped` (attempts that completed the job),
    /// `retried` (a failed attempt with another to come), `dead` (a failed last attempt).
    static let jobsLabel = "refract_pipeline_jobs_total"
    /// Jobs pending or running.
    static let depthLabel = "refract_pipeline_queue_depth"

    private let factory: any MetricsFactory
    private let depth: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        depth = Gauge(label: Self.depthLabel, factory: factory)
    }

    func recordJob(pipeline: String, result: String) {
        Counter(label: Self.jobsLabel, dimensions: [("pipeline", pipeline), ("result", result)], factory: factory)
            .increment()
    }

    func recordDepth(_ counts: JobCounts) {
        depth.record(counts.depth)
    }
}
