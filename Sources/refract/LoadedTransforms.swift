import Foundation
import Logging
import RefractCore
import RefractServer

/// The built-in transforms and the plugins of a configuration, as `serve`, `invoke` and `transforms` use them.
struct LoadedTransforms {
    let builtins: BuiltinTransforms
    let plugins: PluginTransforms

    /// Every transform, built-in and plugin.
    var all: [any Transform] { builtins.transforms + plugins.transforms }

    /// Loads the plugins' manifests; an invalid one ends the command with its file, key and problem.
    init(configuration: RefractConfiguration, logger: Logger) async throws {
        let builtins = BuiltinTransforms(configuration: configuration, logger: logger)
        do {
            plugins = try PluginTransforms(
                configuration: configuration,
                builtinNames: Set(builtins.transforms.map(\.descriptor.name)),
                environment: ProcessInfo.processInfo.environment,
                logger: logger
            )
        } catch {
            try await builtins.shutdown()
            throw startupFailure(error)
        }
        self.builtins = builtins
    }

    /// Stops what the transforms run on.
    func shutdown() async throws {
        try await plugins.shutdown()
        try await builtins.shutdown()
    }
}
