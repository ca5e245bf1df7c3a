import Foundation

/// The command-line tools the tests make and inspect images with: ImageMagick's `convert` and `identify`, and
/// `exiftool`.
enum Tools {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `executable` with `arguments` and returns its standard output; fails on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> Data {
        try await run(executable, arguments, acceptedStatuses: [0]).output
    }

    /// Runs `executable` with `arguments` and returns its standard output and standard error; fails when it exits
    /// with a status not in `acceptedStatuses`.
    ///
    /// The tool runs and is waited for on a Dispatch thread: blocking one of Swift's few cooperative threads would
    /// stall every other test.
    static func run(
        _ executable: String,
        _ arguments: [String],
        acceptedStatuses: Set<Int32>
    ) async throws -> (output: Data, errors: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try runBlocking(executable, arguments, acceptedStatuses: acceptedStatuses) })
            }
        }
    }

    /// Runs `executable` on the calling thread; returns its standard output and standard error, and fails when it
    /// exits with a status not in `acceptedStatuses`.
    private static func runBlocking(
        _ executable: String,
        _ arguments: [String],
        acceptedStatuses: Set<Int32> = [0]
    ) throws -> (output: Data, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting, so that a large output cannot fill the pipe and stall the tool.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard acceptedStatuses.contains(process.terminationStatus) else {
            throw Failure(
                description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + errorText
            )
        }
        return (data, errorText)
    }

    static func convert(_ arguments: [String]) async throws {
        try await run("/usr/bin/convert", arguments)
    }

    static func exiftool(_ arguments: [String]) async throws -> String {
        String(decoding: try await run("/usr/bin/exiftool", arguments), as: UTF8.self)
    }
}
