import ArgumentParser
import Foundation
import Logging
import RefractPipelines
import RefractServer

/// `refract pipelines backfill`: runs an upload pipeline on a bucket's existing objects.
struct PipelinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipelines",
        abstract: "Work with upload pipelines.",
        subcommands: [Backfill.self]
    )

    /// `refract pipelines backfill NAME [--prefix P]`.
    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enqueue the existing objects of a pipeline's bucket; a running gateway does the work."
        )

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The pipeline's name.")
        var name: String

        @Option(help: "Only the keys under this prefix.")
        var prefix = ""

        func run() async throws {
            let configuration = try options.load()
            let logger = Logger(label: "refract")
            let transforms = try await LoadedTransforms(configuration: configuration, logger: logger)
            let queue = try await openQueue(configuration, logger: logger)
            let progress = ProgressLine(isTerminal: isatty(STDERR_FILENO) == 1)
            var failure: (any Error)?
            do {
                let gateway = try Gateway(
                    configuration: configuration, transforms: transforms.all, queue: queue, logger: logger)
                let totals = try await gateway.backfill(pipeline: name, prefix: prefix) { listed, enqueued in
                    progress.show(listed: listed, enqueued: enqueued)
                }
                progress.finish(listed: totals.listed, enqueued: totals.enqueued)
                await gateway.shutdown()
            } catch {
                failure = error
            }
            try await queue.close()
            try await transforms.shutdown()
            if let failure { throw startupFailure(failure) }
        }
    }
}

/// Backfill progress on standard error: one line redrawn in place on a terminal, plain lines otherwise.
private struct ProgressLine {
    let isTerminal: Bool

    func show(listed: Int, enqueued: Int) {
        if isTerminal {
            let width = 30
            let filled = listed == 0 ? 0 : min(width, enqueued * width / listed)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r[\(bar)] \(listed) listed, \(enqueued) enqueued")
        } else {
            write("listed \(listed) objects, enqueued \(enqueued) jobs\n")
        }
    }

    func finish(listed: Int, enqueued: Int) {
        write("\(isTerminal ? "\n" : "")done: \(listed) objects listed, \(enqueued) jobs enqueued\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
