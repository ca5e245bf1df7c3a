import RefractPipelines
import ServiceLifecycle

/// Runs the gateway's pipeline worker beside its server, until the gateway shuts down.
struct PipelineWorkerService: Service {
    let worker: PipelineWorker

    func run() async throws {
        // Jobs in flight at shutdown go back to the queue for the next run, or another gateway, to take.
        await cancelWhenGracefulShutdown {
            await worker.run()
        }
    }
}
