import ArgumentParser
import Logging
import RefractPipelines
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
        let transforms = try await LoadedTransforms(configuration: configuration, logger: logger)
        let queue: (any JobQueue)?
        let gateway: Gateway
        do {
            queue = configuration.pipelines.isEmpty ? nil : try await openQueue(configuration, logger: logger)
            do {
                gateway = try Gateway(
                    configuration: configuration,
                    transforms: transforms.all,
                    functions: transforms.plugins.functions,
                    queue: queue,
                    logger: logger
                )
            } catch {
                try await queue?.close()
                throw error
            }
        } catch {
            try await transforms.shutdown()
            throw startupFailure(error)
        }
        var failure: (any Error)?
        do {
            try await gateway.run(host: host, port: port) { host, port in
                logger.notice("listening on http://\(host):\(port)")
            }
        } catch {
            failure = error
        }
        await gateway.shutdown()
        try await queue?.close()
        try await transforms.shutdown()
        if let failure { throw failure }
    }
}

/// The pipeline queue `queue.url` names; one that cannot be opened ends the command with why.
func openQueue(_ configuration: RefractConfiguration, logger: Logger) async throws -> any JobQueue {
    do {
        return try await JobQueueFactory.open(url: configuration.queue.url, logger: logger)
    } catch {
        throw startupFailure("queue.url: cannot open the queue: \(error)")
    }
}
