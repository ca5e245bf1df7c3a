import ArgumentParser
import Foundation
import RefractServer

/// `--config`, which every subcommand takes.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: ./refract.yml if it exists, else built-in defaults).")
    var config: String?

    /// The configuration named by `--config`, or `./refract.yml`, or the defaults; a bad one ends the command
    /// with its message.
    func load() throws -> RefractConfiguration {
        let path = config ?? (FileManager.default.fileExists(atPath: "refract.yml") ? "refract.yml" : nil)
        do {
            return try RefractConfiguration.load(path: path, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw startupFailure(error)
        }
    }
}

/// Prints why the command cannot start (a bad configuration) to standard error, without the usage text
/// ArgumentParser adds to command-line mistakes, and returns the exit status to throw.
func startupFailure(_ error: any Error) -> ExitCode {
    startupFailure("\(error)")
}

/// Prints `message` as the reason the command cannot run and returns the exit status to throw.
func startupFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("refract: \(message)\n".utf8))
    return ExitCode.failure
}
