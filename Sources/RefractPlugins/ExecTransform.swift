import Foundation
public import Logging
public import RefractCore
import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A plugin transform whose program is started once per request (`runtime: exec`).
///
/// The program runs in the plugin's folder as the leader of a process group of its own, with a small environment
/// of its own rather than the gateway's, which may hold secrets: `PATH`, `HOME`, `LANG`, `LC_ALL` and `TMPDIR` when
/// set, `REFRACT_EVENT` (the path of a JSON file describing the request, removed after the run),
/// `REFRACT_REQUEST_ID`, `CONTENT_TYPE` and `CONTENT_LENGTH` (when known) of the step's input, and
/// `REFRACT_PARAM_<NAME>` for each parameter. The input streams to its standard input as the program reads it; its
/// standard output is a CGI response (RFC 3875 §6) whose body streams to the client; each line of its standard error
/// is logged with the request id.
///
/// The program's whole process group is killed past the plugin's timeout or the request's deadline
/// (`TransformTimeout`), past `max_output` bytes of output or on a malformed response (`TransformFailed`), and when
/// the client stops reading. Failures before the response's header section make `apply` throw; later ones make the
/// body's iteration throw. At most `concurrency` runs go on at once and `queue_limit` more wait (see
/// ``PluginRunSlots``); a run keeps its slot until its process is reaped.
public struct ExecTransform: Transform {
    public let descriptor: TransformDescriptor
    let manifest: PluginManifest
    let executable: Executable
    let arguments: Arguments
    /// The plugin's folder, absolute.
    let directory: String
    /// The variables every run gets from the gateway's environment.
    let inheritedEnvironment: [Environment.Key: String]
    /// The plugin's runs, going on and waiting (for metrics); copies of the transform share them.
    public let slots: PluginRunSlots
    private let eventDirectory: String
    private let logger: Logger

    /// - Precondition: the manifest's runtime is `exec` with a command.
    public init(manifest: PluginManifest, logger: Logger) {
        guard case .exec(let command) = manifest.runtime, let program = command.first else {
            preconditionFailure("ExecTransform needs an exec plugin with a command; \(manifest.descriptor.name) is not")
        }
        _ = Self.brokenPipesIgnored
        self.descriptor = manifest.descriptor
        self.manifest = manifest
        self.directory = URL(fileURLWithPath: manifest.directory).standardizedFileURL.path
        self.inheritedEnvironment = Self.inheritedEnvironment(ProcessInfo.processInfo.environment)
        self.executable = Self.executable(
            program, directory: directory, searchPath: inheritedEnvironment["PATH"] ?? "")
        self.arguments = Arguments(Array(command.dropFirst()))
        self.slots = PluginRunSlots(
            pluginName: manifest.descriptor.name,
            concurrency: manifest.concurrency,
            queueLimit: manifest.queueLimit
        )
        self.eventDirectory = FileManager.default.temporaryDirectory.path
        self.logger = logger
    }

    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let slot = try await slots.acquire(deadline: context.deadline)
        let deadline = min(ContinuousClock.now + manifest.timeout, context.deadline)
        let eventFile: ExecEventFile
        do {
            let eventDeadline = Self.date(of: deadline)
            let event = ExecEvent(descriptor: descriptor, input: input, context: context, deadline: eventDeadline)
            eventFile = try ExecEventFile(event: event, directory: eventDirectory)
        } catch {
            slot.release()
            context.logger.error(
                "Could not write the plugin's event file",
                metadata: ["plugin": "\(descriptor.name)", "error": "\(error)"]
            )
            throw RefractError.internalError()
        }
        let run = ExecRun(pluginName: descriptor.name, maxOutputBytes: manifest.maxOutputBytes, logger: context.logger)
        let configuration = configuration(eventFile: eventFile, input: input, context: context)
        let logger = self.logger
        Task {
            await run.execute(configuration, input: input.body, deadline: deadline) {
                do {
                    try eventFile.remove()
                } catch {
                    logger.warning(
                        "Could not remove a plugin's event file",
                        metadata: ["path": "\(eventFile.path)", "error": "\(error)"]
                    )
                }
                slot.release()
            }
        }
        let body = ExecBody(run: run)
        let head = try await body.head()
        return TransformOutput(
            body: ObjectBody(body),
            contentType: head.contentType,
            contentLength: head.contentLength,
            headers: head.headers,
            status: head.status
        )
    }

    /// A write to a plugin that closed its standard input raises SIGPIPE, whose default action ends the gateway;
    /// ignored, the write fails with EPIPE instead (NIO ignores it too, for its sockets). Plugins still get the
    /// default action: Subprocess resets every signal in the processes it starts.
    private static let brokenPipesIgnored: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// The wall-clock time of `instant`, for the event.
    private static func date(of instant: ContinuousClock.Instant) -> Date {
        let remaining = (instant - ContinuousClock.now).components
        return Date.now.addingTimeInterval(Double(remaining.seconds) + Double(remaining.attoseconds) * 1e-18)
    }
}
