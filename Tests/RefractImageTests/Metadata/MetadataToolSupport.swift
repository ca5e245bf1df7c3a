import Foundation
import Testing

/// Runs the command-line tools the metadata tests check against: exiftool and ImageMagick.
enum MetadataTool {
    static let exiftool = "/usr/bin/exiftool"
    static let convert = "/usr/bin/convert"
    static let compare = "/usr/bin/compare"

    /// Runs `executable` and returns what it wrote to standard output (and, with `includingErrors`, to standard
    /// error); fails when it exits with a status not in `acceptedStatuses`.
    @discardableResult
    static func run(
        _ executable: String,
        _ arguments: [String],
        includingErrors: Bool = false,
        acceptedStatuses: Set<Int32> = [0]
    ) async throws -> String {
        let (output, errors) = try await Tools.run(executable, arguments, acceptedStatuses: acceptedStatuses)
        let standardOutput = String(decoding: output, as: UTF8.self)
        return includingErrors ? standardOutput + errors : standardOutput
    }

    /// `exiftool -json -n -G1` of `file`: tag values keyed `Group:Tag`.
    static func exiftoolValues(of file: URL) async throws -> [String: Any] {
        let json = try await run(exiftool, ["-json", "-n", "-G1", file.path])
        let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        return try #require(array?.first)
    }

    /// Writes tags into `file` in place with exiftool's `arguments` (`-Make=Canon`, ...).
    static func writeTags(_ arguments: [String], to file: URL) async throws {
        try await run(exiftool, ["-q", "-q", "-overwrite_original"] + arguments + [file.path])
    }

    /// A fresh directory under the system's temporary directory, for one test's files.
    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("refract-metadata-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A 64×48 gradient written by ImageMagick as `name` (its extension picks the format).
    static func makeImage(named name: String, in directory: URL, extraArguments: [String] = []) async throws -> URL {
        let file = directory.appendingPathComponent(name)
        try await run(convert, ["-size", "64x48", "gradient:red-blue"] + extraArguments + [file.path])
        return file
    }

    /// The number of pixels that differ between two images, as `compare -metric AE` counts them (it prints the
    /// count first, before any warning).
    static func differingPixels(_ first: URL, _ second: URL) async throws -> String {
        let output = try await run(
            compare, ["-metric", "AE", first.path, second.path, "null:"], includingErrors: true,
            acceptedStatuses: [0, 1])
        return String(output.prefix { $0.isNumber || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-" })
    }
}
