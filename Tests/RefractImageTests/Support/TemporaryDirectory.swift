import Foundation

/// A directory of its own under the system's temporary directory, for the files of one test run.
struct TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        try self.init(name: "refract-image-tests-\(UUID().uuidString)")
    }

    /// The directory `name`, emptied first: the shared fixtures live in one such directory that each run replaces,
    /// since nothing runs after the last test to remove it.
    init(name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `data` to a new file in the system's temporary directory and returns its path; remove it after use.
    static func writeScratchFile(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("refract-image-\(UUID().uuidString)")
        try data.write(to: url)
        return url.path
    }
}
