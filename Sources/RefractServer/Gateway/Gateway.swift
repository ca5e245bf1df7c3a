import Foundation
public import Hummingbird
public import Logging
public import RefractCore
import RefractStorage
import ServiceLifecycle
import UnixSignals

/// The gateway: the configured stores, buckets, users and transforms behind the S3 API.
public struct Gateway: Sendable {
    /// How long a transformed request may take before it fails with `TransformTimeout`.
    static let transformTimeout: Duration = .seconds(60)

    let configuration: RefractConfiguration
    let buckets: BucketDirectory
    let registry: TransformRegistry
    let authorizer: Authorizer
    let signer: URLSigner
    let metrics = GatewayMetrics()
    let requestIDs = RequestIDGenerator()
    let logger: Logger
    /// Reported as every bucket's creation date: buckets are configured, not created.
    let startDate = Date()

    /// Builds the gateway; a configuration that names something that cannot work throws.
    public init(configuration: RefractConfiguration, transforms: [any Transform], logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        buckets = try BucketDirectory(configuration: configuration, logger: logger)
        registry = try TransformRegistry(
            transforms: transforms,
            presets: configuration.presets,
            onlyPresets: configuration.security.onlyPresets
        )
        authorizer = Authorizer(policy: AccessPolicy(users: configuration.security.users))
        signer = URLSigner(keys: configuration.security.signing.keys)
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
            onServerRunning: { channel in
                await onListening(
                    channel.localAddress?.ipAddress ?? host ?? configuration.server.host,
                    channel.localAddress?.port ?? 0
                )
            },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then lets requests in flight finish for up to `server.drain_timeout`.
    public func run(host: String? = nil, port: Int? = nil, onListening: @escaping @Sendable (String, Int) async -> Void)
        async throws
    {
        var groupConfiguration = ServiceGroupConfiguration(
            services: [application(host: host, port: port, onListening: onListening)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.server.drainTimeout
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
