import Foundation
public import Hummingbird
public import Logging
public import RefractCore
public import RefractPipelines
import RefractStorage
import ServiceLifecycle
import UnixSignals

/// The gateway: the configured stores, buckets, users and transforms behind the S3 API.
public struct Gateway: Sendable {
    /// How long a transformed request may take before it fails with `TransformTimeout`.
    static let transformTimeout: Duration = .seconds(60)

    let configuration: RefractConfiguration
    let buckets: BucketDirectory
    let accessPoints: AccessPointDirectory
    let registry: TransformRegistry
    let authorizer: Authorizer
    let signer: URLSigner
    /// What http functions reach: their inputs and `WriteGetObjectResponse`.
    let functions: FunctionEndpoints
    /// The upload pipelines and their queue; nil when none are configured.
    let uploads: UploadPipelines?
    let metrics = GatewayMetrics()
    let requestIDs = RequestIDGenerator()
    let logger: Logger
    /// Reported as every bucket's creation date: buckets are configured, not created.
    let startDate = Date()

    /// Builds the gateway; a configuration that names something that cannot work throws.
    ///
    /// `functions` must be the endpoints the http plugins among `transforms` were made with; `queue` holds the
    /// jobs of `configuration.pipelines`, which run only when it is given.
    public init(
        configuration: RefractConfiguration,
        transforms: [any Transform],
        functions: FunctionEndpoints = FunctionEndpoints(),
        queue: (any JobQueue)? = nil,
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.functions = functions
        self.logger = logger
        registry = try TransformRegistry(
            transforms: transforms,
            presets: configuration.presets,
            onlyPresets: configuration.security.onlyPresets
        )
        accessPoints = try AccessPointDirectory(configuration: configuration, registry: registry)
        if let queue {
            uploads = try UploadPipelines(configuration: configuration.pipelines, registry: registry, queue: queue)
        } else {
            uploads = nil
        }
        authorizer = Authorizer(policy: AccessPolicy(users: configuration.security.users + [functions.reader]))
        signer = URLSigner(keys: configuration.security.signing.keys)
        // Last: the stores hold connections that only ``shutdown()`` releases.
        buckets = try BucketDirectory(configuration: configuration, logger: logger)
    }

    /// Releases the stores' connections; call it once the gateway has stopped serving.
    public func shutdown() async {
        await buckets.shutdown()
    }

    /// Logs, for each store, whether it answers; one that does not still lets the gateway start, and its reads
    /// fail with `ServiceUnavailable` until it comes back.
    func logStoreReachability() async {
        for (name, store) in buckets.stores.sorted(by: { $0.key < $1.key }) {
            var metadata: Logger.Metadata = ["store": "\(name)", "type": "\(store.kind)", "at": "\(store.location)"]
            do {
                try await store.checkReady()
                logger.notice("store connected", metadata: metadata)
            } catch {
                metadata["error"] = "\((error as? RefractError)?.message ?? "\(error)")"
                logger.warning("store unreachable; its reads fail with 503 until it answers", metadata: metadata)
            }
        }
    }

    /// The Hummingbird application that serves the gateway on `configuration.server`'s address,
    /// or on `host`/`port` when given. `onListening` is called with the bound address.
    public func application(
        host: String? = nil,
        port: Int? = nil,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        let address = BindAddress.hostname(host ?? configuration.server.host, port: port ?? configuration.server.port)
        return Application(
            responder: GatewayResponder(gateway: self),
            server: .http1(
                configuration: .init(additionalChannelHandlers: [ExpectContinueHandler(), DrainingQuiesceHandler()])),
            configuration: ApplicationConfiguration(address: address, serverName: "Refract"),
            onServerRunning: { [functions] channel in
                let boundHost = channel.localAddress?.ipAddress ?? host ?? configuration.server.host
                let boundPort = channel.localAddress?.port ?? 0
                functions.listening(host: boundHost, port: boundPort)
                await onListening(boundHost, boundPort)
            },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then lets requests in flight finish for up to `server.drain_timeout`.
    public func run(host: String? = nil, port: Int? = nil, onListening: @escaping @Sendable (String, Int) async -> Void)
        async throws
    {
        var services: [any Service] = [application(host: host, port: port, onListening: onListening)]
        if let uploads, !uploads.pipelines.isEmpty {
            services.append(PipelineWorkerService(worker: pipelineWorker(uploads, owner: workerName(port: port))))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.server.drainTimeout
        await logStoreReachability()
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
