import Foundation

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The file a run's event is written to, named by `$REFRACT_EVENT`, removed once the run is over.
///
/// Only the gateway's user may read it: it holds the client's request headers.
struct ExecEventFile: Sendable {
    let path: String

    /// Writes `event` to a new file in `directory`.
    init(event: ExecEvent, directory: String) throws {
        path = directory + "/refract-event-\(UUID().uuidString).json"
        let descriptor = try FileDescriptor.open(
            FilePath(path),
            .writeOnly,
            options: [.create, .exclusiveCreate, .closeOnExec],
            permissions: .ownerReadWrite
        )
        try descriptor.closeAfter {
            _ = try descriptor.writeAll(event.json.utf8)
        }
    }

    func remove() throws {
        try FileManager.default.removeItem(atPath: path)
    }
}
