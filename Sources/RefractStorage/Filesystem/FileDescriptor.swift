import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor, closed exactly once: explicitly, or when the last reference to it goes away.
///
/// Every use goes through ``withDescriptor(_:)`` under a lock, so that a use after `close()` fails instead of
/// reaching whatever file the kernel has since given the same number.
final class FileDescriptor: Sendable {
    /// The path the descriptor was opened with, for error messages.
    let path: String
    private let descriptor: Mutex<CInt?>

    init(_ descriptor: CInt, path: String) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Opens `path`; see `FileSystemCalls.openFile`.
    convenience init(opening path: String, flags: CInt, mode: mode_t = 0o644) throws {
        self.init(try FileSystemCalls.openFile(path, flags: flags, mode: mode), path: path)
    }

    deinit {
        close()
    }

    /// Runs `body` with the descriptor; blocking, so only on the thread pool.
    func withDescriptor<Result: Sendable>(_ body: (CInt) throws -> Result) throws -> Result {
        try descriptor.withLock { descriptor in
            guard let descriptor else { throw FileSystemError("use of closed descriptor", path, errorNumber: EBADF) }
            return try body(descriptor)
        }
    }

    func close() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            descriptor = nil
            // Linux and the BSDs release the descriptor even when close reports an error: never retry.
            _ = closeDescriptor(open)
        }
    }
}

/// The system's `close`, which the method of the same name hides inside the class.
private func closeDescriptor(_ descriptor: CInt) -> CInt {
    close(descriptor)
}
