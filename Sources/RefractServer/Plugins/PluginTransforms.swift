import AsyncHTTPClient
public import Logging
public import RefractCore
import RefractPlugins

/// The plugins of `transforms.plugins.dir`, made into transforms beside the built-in ones.
///
/// Owns the connections to http functions; ``shutdown()`` closes them once the gateway has stopped.
public struct PluginTransforms: Sendable {
    /// Every plugin, in name order.
    public let transforms: [any Transform]
    /// What the http plugins' functions call back: give it to the ``Gateway``.
    public let functions: FunctionEndpoints
    private let client: HTTPClient

    /// Loads every manifest; one that is invalid, or names a built-in transform, fails with its file and key.
    public init(
        configuration: RefractConfiguration,
        builtinNames: Set<String>,
        environment: [String: String],
        logger: Logger
    ) throws(ConfigurationError) {
        let plugins = configuration.transforms.plugins
        let manifests = try PluginManifest.loadAll(in: plugins.dir, environment: environment)
        for manifest in manifests where builtinNames.contains(manifest.descriptor.name) {
            throw ConfigurationError(
                file: "\(manifest.directory)/transform.yml",
                path: "name",
                problem: "a built-in transform is already named \"\(manifest.descriptor.name)\""
            )
        }
        let functions = FunctionEndpoints(baseURL: plugins.gatewayURL)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        transforms = manifests.map { manifest -> any Transform in
            switch manifest.runtime {
            case .exec:
                ExecTransform(manifest: manifest, logger: logger)
            case .http:
                HTTPFunctionTransform(
                    manifest: manifest,
                    client: client,
                    inputs: functions,
                    responses: functions.responses
                )
            }
        }
        self.functions = functions
        self.client = client
    }

    /// Closes the connections to http functions.
    public func shutdown() async throws {
        try await client.shutdown()
    }
}
