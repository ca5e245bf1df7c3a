import ArgumentParser
import Logging
import RefractServer

/// `refract serve`: runs the gateway until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the gateway.")

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "The address to listen on (default: server.host).")
    var host: String?

    @Option(help: "The port to listen on, 0 for any free port (default: server.port).")
    var port: Int?

    func run() async throws {
        let configuration = try options.load()
        let format: LineLogHandler.Format = configuration.log.format == .json ? .json : .text
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: format, level: configuration.log.level)
        }
        let logger = Logger(label: "refract")
        let builtins = BuiltinTransforms(configuration: configuration, logger: logger)
        let gateway: Gateway
        do {
            gateway = try Gateway(configuration: configuration, transforms: builtins.transforms, logger: logger)
        } catch {
            try await builtins.shutdown()
            throw startupFailure(error)
        }
        do {
            try await gateway.run(host: host, port: port) { host, port in
                logger.notice("listening on http://\(host):\(port)")
            }
        } catch {
            await gateway.shutdown()
            try await builtins.shutdown()
            throw error
        }
        await gateway.shutdown()
        try await builtins.shutdown()
    }
}
