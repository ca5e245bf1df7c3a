import Foundation
public import Logging
public import Metrics

/// Runs the jobs of a queue: leases them, runs up to ``Settings/concurrency`` at once, renews their leases while
/// they run, and records how each attempt went.
///
/// ``run()`` works until its task is cancelled. Jobs running then are cancelled too: one that still finishes is
/// completed, one that stops is given back to the queue (its attempt not counted) for another worker to take. A
/// worker whose lease is lost (it stalled past the lease, another worker took the job) drops the job's result.
public final class PipelineWorker: Sendable {
    /// Names the worker in leases; a stable name (the gateway's host and port) lets a restarted gateway take its
    /// own jobs back at once rather than after their leases expire.
    public let owner: String
    /// How the worker runs jobs.
    public let settings: Settings
    private let queue: any JobQueue
    private let runner: JobRunner
    private let metrics: PipelineMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - pipelines: the configured pipelines; jobs of a pipeline not among them are dead-lettered.
    ///   - buckets: where a gateway bucket's objects are; nil for a bucket that is not configured.
    ///   - metricsFactory: where the job results and queue depth go.
    public init(
        queue: any JobQueue,
        pipelines: [UploadPipeline],
        buckets: @escaping @Sendable (String) -> StoreBucket?,
        owner: String,
        settings: Settings = Settings(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.queue = queue
        metrics = PipelineMetrics(factory: metricsFactory)
        self.owner = owner
        self.settings = settings
        self.logger = logger
        runner = JobRunner(
            pipelines: Dictionary(pipelines.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }),
            resolveBucket: buckets,
            transformTimeout: settings.transformTimeout,
            logger: logger
        )
    }

    /// What ends a wait of the loop.
    private enum Wake: Sendable {
        case jobFinished
        case tick
    }

    /// Runs jobs until the task is cancelled.
    public func run() async {
        do {
            let taken = try await queue.expireLeases(owner: owner)
            if taken > 0 { logger.info("Taking back the jobs of a previous run", metadata: ["jobs": "\(taken)"]) }
        } catch {
            logger.error("Cannot take back the jobs of a previous run: \(error)")
        }
        var housekeeping = Housekeeping()
        await withTaskGroup(of: Wake.self) { group in
            var running = 0
            var isSleeping = false
            while !Task.isCancelled {
                if running < settings.concurrency {
                    for job in await leaseJobs(limit: settings.concurrency - running) {
                        running += 1
                        group.addTask {
                            await self.process(job)
                            return .jobFinished
                        }
                    }
                }
                if !isSleeping {
                    isSleeping = true
                    group.addTask { [pollInterval = settings.pollInterval] in
                        try? await Task.sleep(for: pollInterval)
                        return .tick
                    }
                }
                switch await group.next() {
                case .jobFinished: running -= 1
                case .tick:
                    isSleeping = false
                    if !Task.isCancelled { await housekeeping.run(self) }
                case nil: break
                }
            }
        }
    }

    private func leaseJobs(limit: Int) async -> [PipelineJob] {
        do {
            return try await queue.lease(owner: owner, limit: limit, leaseDuration: settings.leaseDuration)
        } catch is CancellationError {
            // The worker is stopping: nothing went wrong with the queue.
            return []
        } catch {
            logger.error("Cannot lease jobs: \(error)")
            return []
        }
    }

    /// How an attempt ended.
    private enum Attempt: Sendable {
        case finished(JobOutcome)
        case failed(any Error)
        case leaseLost
    }

    /// Runs `job` while keeping its lease, then records the attempt.
    private func process(_ job: PipelineJob) async {
        let attempt = await withTaskGroup(of: Attempt?.self) { group in
            group.addTask {
                do {
                    return .finished(try await self.runner.run(job))
                } catch {
                    return .failed(error)
                }
            }
            group.addTask { await self.keepLease(of: job) ? nil : .leaseLost }
            // The first answer decides: the job's end stops the renewals, a lost lease stops the job.
            var decided: Attempt = .leaseLost
            while let next = await group.next() {
                guard let next else { continue }
                decided = next
                break
            }
            group.cancelAll()
            return decided
        }
        let isStopping = Task.isCancelled
        // The queue must hear of the attempt even though the worker is stopping: a task of its own is not
        // cancelled with this one.
        await Task { await self.record(attempt, of: job, isStopping: isStopping) }.value
    }

    /// Renews the job's lease every third of its duration; false once the lease is lost, true when cancelled.
    private func keepLease(of job: PipelineJob) async -> Bool {
        while true {
            do {
                try await Task.sleep(for: settings.leaseDuration / 3)
            } catch {
                return true
            }
            do {
                guard try await queue.renewLease(jobID: job.id, owner: owner, leaseDuration: settings.leaseDuration)
                else { return false }
            } catch {
                // The queue may come back before the lease ends; if it does not, another worker takes the job.
                logger.warning("Cannot renew the lease of job \(job.id): \(error)")
            }
        }
    }

    private func record(_ attempt: Attempt, of job: PipelineJob, isStopping: Bool) async {
        var logger = logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "pipeline"] = "\(job.pipeline)"
        do {
            switch attempt {
            case .leaseLost:
                logger.warning("Lost the lease of the job while running it: another worker runs it")
            case .finished(let outcome):
                guard try await queue.complete(jobID: job.id, owner: owner, outcome: outcome) else {
                    logger.warning("Finished the job after its lease was lost: another worker runs it")
                    return
                }
                metrics.recordJob(pipeline: job.pipeline, result: outcome.rawValue)
                logger.info("Job \(outcome.rawValue)", metadata: ["key": "\(job.event.bucket)/\(job.event.key)"])
            case .failed where isStopping:
                if try await queue.release(jobID: job.id, owner: owner) {
                    logger.info("Gave the job back to the queue: the worker is stopping")
                }
            case .failed(let error):
                let failure = JobRunError(error, context: "Job \(job.id)")
                let disposition = try await queue.fail(
                    jobID: job.id, owner: owner, error: failure.message, retryable: failure.isRetryable)
                switch disposition {
                case .retrying(let date):
                    metrics.recordJob(pipeline: job.pipeline, result: "retried")
                    logger.warning(
                        "Job attempt \(job.attempts) failed, retrying at \(date): \(failure.message)")
                case .dead:
                    metrics.recordJob(pipeline: job.pipeline, result: "dead")
                    logger.error("Job failed for good after \(job.attempts) attempts: \(failure.message)")
                case .leaseLost:
                    logger.warning("The job failed after its lease was lost: \(failure.message)")
                }
            }
        } catch {
            // The lease then expires, and the job runs again.
            logger.error("Cannot record the job's attempt: \(error)")
        }
    }

    /// The periodic work of an idle or busy worker: the depth metric, and removing old finished jobs.
    private struct Housekeeping {
        private var lastDepthUpdate: ContinuousClock.Instant?
        private var lastRemoval: ContinuousClock.Instant?
        private static let removalInterval = Duration.seconds(3600)

        mutating func run(_ worker: PipelineWorker) async {
            let now = ContinuousClock.now
            if lastDepthUpdate.map({ now - $0 >= worker.settings.depthInterval }) ?? true {
                lastDepthUpdate = now
                await worker.updateDepth()
            }
            if let retention = worker.settings.finishedJobRetention,
                lastRemoval.map({ now - $0 >= Self.removalInterval }) ?? true
            {
                lastRemoval = now
                await worker.removeFinishedJobs(olderThan: retention)
            }
        }
    }

    private func updateDepth() async {
        do {
            metrics.recordDepth(try await queue.counts())
        } catch {
            logger.warning("Cannot count the queue's jobs: \(error)")
        }
    }

    private func removeFinishedJobs(olderThan retention: Duration) async {
        do {
            let removed = try await queue.removeFinishedJobs(before: Date().addingTimeInterval(-retention.seconds))
            if removed > 0 { logger.debug("Removed old finished jobs", metadata: ["jobs": "\(removed)"]) }
        } catch {
            logger.warning("Cannot remove old finished jobs: \(error)")
        }
    }
}

extension Duration {
    /// The duration in seconds.
    fileprivate var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
