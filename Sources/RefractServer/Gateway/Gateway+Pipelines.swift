import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RefractCore
import RefractPipelines
import RefractStorage

extension Gateway {
    /// Commits the pipeline jobs of a write the gateway made, before the write is answered.
    ///
    /// The object is already stored: if its jobs cannot be committed the client gets `ServiceUnavailable` and
    /// retries the write, so an acknowledged write never loses its jobs.
    func recordWrite(route: BucketRoute, key: String, etag: String, size: Int?, metadata: [String: String]) async throws
    {
        guard let uploads, uploads.watches(bucket: route.name) else { return }
        let event = uploads.event(.put, bucket: route.name, key: key, etag: etag, size: size)
        try await commitJobs(of: event, metadata: metadata, uploads: uploads)
    }

    /// Commits the pipeline jobs of a removal the gateway made, before it is answered.
    func recordRemoval(route: BucketRoute, key: String) async throws {
        guard let uploads, uploads.watches(bucket: route.name) else { return }
        let event = uploads.event(.delete, bucket: route.name, key: key, etag: nil, size: nil)
        try await commitJobs(of: event, metadata: nil, uploads: uploads)
    }

    private func commitJobs(of event: ObjectEvent, metadata: [String: String]?, uploads: UploadPipelines) async throws {
        do {
            try await uploads.record(event, userMetadata: metadata)
        } catch {
            logger.error(
                "pipeline jobs not queued",
                metadata: ["bucket": "\(event.bucket)", "key": "\(event.key)", "error": "\(error)"]
            )
            throw RefractError.serviceUnavailable("The pipeline queue is unavailable; the write must be retried.")
        }
    }

    /// `POST /_refract/events/s3`: S3 event notifications (S3, MinIO's webhook, SNS) for objects written straight
    /// to a store. Takes `refract:Admin` credentials or `Authorization: Bearer` with `security.events_token`.
    func receiveEvents(_ request: GatewayRequest, body: RequestBody, exchange: Exchange) async throws -> Response {
        exchange.operation = "S3Events"
        try authorizeAdmin(request, allowingEventsToken: true)
        guard let uploads else {
            throw RefractError.invalidRequest("No upload pipelines are configured.")
        }
        let data = try await body.collect(upTo: Self.maxEventBytes)
        let notification: S3EventNotification
        do {
            notification = try S3EventNotification(
                json: Data(data.readableBytesView), sequencers: uploads.queue.sequencers)
        } catch {
            throw RefractError.invalidArgument("The event notification is not valid: \(error.message)")
        }
        var enqueued = 0
        for record in notification.records {
            var event = record.event
            event.bucket = gatewayBucketName(forStoreBucket: event.bucket)
            enqueued += try await uploads.record(event, userMetadata: record.userMetadata).count
        }
        return .json(#"{"records":\#(notification.records.count),"enqueued":\#(enqueued)}"#)
    }

    /// A store names its own bucket in its notifications: the gateway bucket configured over it
    /// (`buckets.X.name`), the first in name order when several are; the name itself when no bucket renames it.
    private func gatewayBucketName(forStoreBucket name: String) -> String {
        guard configuration.buckets[name] == nil else { return name }
        return configuration.buckets.sorted { $0.key < $1.key }.first { $0.value.name == name }?.key ?? name
    }

    /// `GET /_refract/jobs?state=dead&limit=100`: the pipeline jobs, newest first, with the queue's counts.
    func listJobs(_ request: GatewayRequest, exchange: Exchange) async throws -> Response {
        exchange.operation = "Jobs"
        try authorizeAdmin(request, allowingEventsToken: false)
        guard let uploads else { throw RefractError.invalidRequest("No upload pipelines are configured.") }
        var states: Set<JobState> = []
        if let text = request.query["state"] {
            guard let state = JobState(rawValue: text == "failed" ? "dead" : text) else {
                throw RefractError.invalidArgument("state must be pending, running, done, dead or failed.")
            }
            states = [state]
        }
        let limit = Int(request.query["limit"] ?? "") ?? 100
        guard (1...10_000).contains(limit) else { throw RefractError.invalidArgument("limit must be 1 to 10000.") }
        let jobs = try await uploads.queue.list(states: states, limit: limit)
        let counts = try await uploads.queue.counts()
        let document: [String: Any] = [
            "counts": Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0]) }),
            "jobs": jobs.map(\.jsonObject),
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return .json(String(decoding: data, as: UTF8.self))
    }

    /// Admin endpoints take a SigV4 signature of a user allowed `refract:Admin`; the events endpoint also takes the
    /// configured bearer token.
    private func authorizeAdmin(_ request: GatewayRequest, allowingEventsToken: Bool) throws {
        if allowingEventsToken, let token = configuration.security.eventsToken,
            let authorization = request.header(.authorization), authorization.hasPrefix("Bearer ")
        {
            guard SigV4Hashing.constantTimeEquals(String(authorization.dropFirst("Bearer ".count)), token) else {
                throw RefractError.accessDenied("The bearer token is not valid.")
            }
            return
        }
        let identity = try authorizer.authenticate(request)
        try authorizer.authorize(identity, .admin, resource: "*", publicRead: false)
    }

    private static let maxEventBytes = 8 << 20

    /// Enqueues the existing objects of pipeline `name`'s bucket under `prefix`; returns how many were listed and
    /// enqueued. `progress` is called after each listed page.
    public func backfill(
        pipeline name: String,
        prefix: String,
        progress: (_ listed: Int, _ enqueued: Int) -> Void
    ) async throws -> (listed: Int, enqueued: Int) {
        guard let uploads, let pipeline = uploads.pipelines.first(where: { $0.name == name }) else {
            let names = (uploads?.pipelines ?? []).map(\.name).joined(separator: ", ")
            throw RefractError.invalidArgument("No pipeline is named \(name) (pipelines: \(names)).")
        }
        guard let location = buckets.storeBucket(pipeline.bucket) else { throw RefractError.noSuchBucket() }
        return try await uploads.queue.enqueueBackfill(
            pipeline: pipeline, store: location.store, storeBucket: location.bucket, prefix: prefix, progress: progress)
    }

    /// The worker that runs the pipelines' jobs, writing outputs to the buckets' stores directly (so they never
    /// pass through the gateway's own write triggers).
    func pipelineWorker(_ uploads: UploadPipelines, owner: String) -> PipelineWorker {
        PipelineWorker(
            queue: uploads.queue,
            pipelines: uploads.pipelines,
            buckets: { [buckets] name in buckets.storeBucket(name) },
            owner: owner,
            settings: PipelineWorker.Settings(concurrency: ProcessInfo.processInfo.activeProcessorCount),
            metricsFactory: metrics.factory,
            logger: logger
        )
    }

    /// Names this gateway's worker in job leases: the same after a restart on a fixed port, so the restarted
    /// gateway takes its jobs back at once; on a port picked at random, unique to the process.
    func workerName(port: Int?) -> String {
        let port = port ?? configuration.server.port
        let host = ProcessInfo.processInfo.hostName
        return port == 0 ? "\(host):pid-\(ProcessInfo.processInfo.processIdentifier)" : "\(host):\(port)"
    }
}

extension PipelineJob {
    /// The job as `/_refract/jobs` shows it.
    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "id": id,
            "pipeline": pipeline,
            "bucket": event.bucket,
            "key": event.key,
            "event": event.kind.rawValue,
            "sequencer": event.sequencer,
            "state": state.rawValue,
            "attempts": attempts,
            "maxAttempts": retry.maxAttempts,
            "createdAt": ISO8601DateFormatter().string(from: createdAt),
            "updatedAt": ISO8601DateFormatter().string(from: updatedAt),
            "nextAttemptAt": ISO8601DateFormatter().string(from: nextAttemptAt),
        ]
        if let etag = event.etag { object["etag"] = etag }
        if let outcome { object["outcome"] = outcome.rawValue }
        if let lastError { object["lastError"] = lastError }
        if let leaseOwner { object["leaseOwner"] = leaseOwner }
        return object
    }
}

extension Response {
    /// A 200 answer carrying JSON.
    static func json(_ text: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
