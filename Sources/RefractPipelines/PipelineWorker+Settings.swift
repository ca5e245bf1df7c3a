extension PipelineWorker {
    /// How a worker runs jobs.
    public struct Settings: Sendable {
        /// Jobs run at once.
        public var concurrency: Int
        /// How long a job is leased; the lease is renewed every third of it while the job runs, so a worker that
        /// dies leaves its jobs to others after at most this long.
        public var leaseDuration: Duration
        /// How often an idle worker asks the queue for jobs.
        public var pollInterval: Duration
        /// The longest the transforms of one output may take.
        public var transformTimeout: Duration
        /// How often the queue depth metric is refreshed.
        public var depthInterval: Duration
        /// How long finished (done) jobs are kept; nil keeps them.
        public var finishedJobRetention: Duration?

        public init(
            concurrency: Int = 2,
            leaseDuration: Duration = .seconds(60),
            pollInterval: Duration = .milliseconds(500),
            transformTimeout: Duration = .seconds(300),
            depthInterval: Duration = .seconds(5),
            finishedJobRetention: Duration? = .seconds(7 * 24 * 3600)
        ) {
            self.concurrency = max(1, concurrency)
            self.leaseDuration = leaseDuration
            self.pollInterval = pollInterval
            self.transformTimeout = transformTimeout
            self.depthInterval = depthInterval
            self.finishedJobRetention = finishedJobRetention
        }
    }
}
