import ArgumentParser
import Foundation
import Logging
import NIOCore
import RefractCore
import RefractServer

/// `refract invoke`: runs a pipeline on a file or stored object, without a client, and reports time and memory.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run a pipeline locally and print its duration and peak memory.",
        discussion: """
            PIPELINE is a transform suffix or preset (resize:w=300!format:webp, redact). The output goes to -o, or \
            to standard output; the report goes to standard error.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The steps to run, as in a suffix: resize:w=300!format:webp.")
    var pipeline: String

    @Option(help: "A file, or bucket/key of a configured bucket.")
    var input: String

    @Option(name: .customLong("param"), help: "name=value, added to every step that takes the parameter.")
    var parameters: [String] = []

    @Option(name: .customLong("content-type"), help: "The input file's media type (default: from its extension).")
    var contentType: String?

    @Option(name: [.customShort("o"), .long], help: "Where to write the output (default: standard output).")
    var output: String?

    func run() async throws {
        let configuration = try options.load()
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: .text, level: configuration.log.level, toStandardError: true)
        }
        let logger = Logger(label: "refract")
        let arguments = try parameters.map { text in
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--param takes name=value, got \(text)")
            }
            return (name: String(text[..<equals]), value: String(text[text.index(after: equals)...]))
        }
        let transforms = try await LoadedTransforms(configuration: configuration, logger: logger)
        do {
            let gateway = try Gateway(
                configuration: configuration,
                transforms: transforms.all,
                functions: transforms.plugins.functions,
                logger: logger
            )
            try await invoke(on: gateway, parameters: arguments)
            await gateway.shutdown()
        } catch {
            try await transforms.shutdown()
            throw startupFailure((error as? RefractError).map { "\($0.s3Code): \($0.message)" } ?? "\(error)")
        }
        try await transforms.shutdown()
    }

    private var source: Gateway.InvocationInput {
        if FileManager.default.fileExists(atPath: input) || !input.contains("/") {
            return .file(path: input, contentType: contentType)
        }
        let slash = input.firstIndex(of: "/")!
        return .object(bucket: String(input[..<slash]), key: String(input[input.index(after: slash)...]))
    }

    /// Runs the pipeline, with the gateway listening on a loopback port while it does when an http function needs
    /// to fetch its input and send its answer.
    private func invoke(on gateway: Gateway, parameters: [(name: String, value: String)]) async throws {
        let started = ContinuousClock.now
        var bytes = 0
        var contentType = ""
        var status = 200
        let run = { [source, output, pipeline] in
            try await gateway.invoke(steps: pipeline, parameters: parameters, input: source) { result in
                contentType = result.contentType
                status = result.status
                let sink = try OutputSink(path: output)
                for try await buffer in result.body {
                    bytes += buffer.readableBytes
                    try sink.write(buffer)
                }
                try sink.close()
            }
        }
        if try gateway.needsListener(steps: pipeline) {
            try await gateway.whileListening(run)
        } else {
            try await run()
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let statusText = status == 200 ? "" : ", status \(status)"
        FileHandle.standardError.write(
            Data(
                """
                \(pipeline): \(contentType), \(bytes) bytes\(statusText) in \(String(format: "%.1f", milliseconds)) ms, \
                peak memory \(PeakMemory.text)

                """.utf8))
    }
}

/// Where `invoke` writes its output: a file it replaces, or standard output.
private struct OutputSink {
    private let handle: FileHandle

    init(path: String?) throws {
        guard let path else {
            handle = .standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot write \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ buffer: ByteBuffer) throws {
        try handle.write(contentsOf: buffer.readableBytesView)
    }

    func close() throws {
        if handle !== FileHandle.standardOutput { try handle.close() }
    }
}

/// The process's peak resident memory (`VmHWM`), as Linux reports it.
private enum PeakMemory {
    static var text: String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return "unknown" }
        return String(format: "%.1f MiB", Double(kibibytes) / 1024)
    }
}
