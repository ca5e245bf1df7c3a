import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed, for the log: the call, the path and the error number.
struct FileSystemError: Error, CustomStringConvertible {
    let call: String
    let path: String
    let errorNumber: CInt

    init(_ call: String, _ path: String, errorNumber: CInt = errno) {
        self.call = call
        self.path = path
        self.errorNumber = errorNumber
    }

    var reason: String { String(cString: strerror(errorNumber)) }
    var description: String { "\(call) \(path): \(reason)" }
}

/// What `stat` says about a file, reduced to what the store uses.
struct FileStatus: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case regularFile, directory, symbolicLink, other
    }

    var kind: Kind
    var size: Int
    /// The modification time in nanoseconds since 1970, as precise as the filesystem keeps it.
    var modificationNanoseconds: Int64
    var device: UInt64
    var inode: UInt64

    init(_ status: stat) {
        switch status.st_mode & S_IFMT {
        case S_IFREG: kind = .regularFile
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int(status.st_size)
        #if canImport(Darwin)
        let modified = status.st_mtimespec
        #else
        let modified = status.st_mtim
        #endif
        modificationNanoseconds = Int64(modified.tv_sec) * 1_000_000_000 + Int64(modified.tv_nsec)
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    var modificationDate: Date {
        Date(timeIntervalSince1970: Double(modificationNanoseconds) / 1_000_000_000)
    }
}

/// Thin, throwing wrappers of the POSIX calls the filesystem store makes. All of them block: call them on the
/// store's thread pool only.
enum FileSystemCalls {
    /// The status of the file at `path`, or nil when nothing is there (`ENOENT`, or a file where a folder was
    /// expected: `ENOTDIR`).
    static func status(atPath path: String, followingLinks: Bool) throws -> FileStatus? {
        var status = stat()
        let result = followingLinks ? stat(path, &status) : lstat(path, &status)
        guard result == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileSystemError(followingLinks ? "stat" : "lstat", path)
        }
        return FileStatus(status)
    }

    static func status(ofDescriptor descriptor: CInt, path: String) throws -> FileStatus {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileSystemError("fstat", path) }
        return FileStatus(status)
    }

    /// The path with every symbolic link resolved, or nil when it leads nowhere.
    static func realPath(_ path: String) throws -> String? {
        guard let resolved = realpath(path, nil) else {
            if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { return nil }
            throw FileSystemError("realpath", path)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func openFile(_ path: String, flags: CInt, mode: mode_t = 0o644) throws -> CInt {
        while true {
            let descriptor = open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw FileSystemError("open", path) }
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func readBytes(
        descriptor: CInt,
        into buffer: UnsafeMutableRawBufferPointer,
        offset: Int,
        path: String
    ) throws -> Int {
        var total = 0
        while total < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + total, buffer.count - total, off_t(offset + total))
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("pread", path)
            }
            total += count
        }
        return total
    }

    static func writeBytes(descriptor: CInt, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var written = 0
        while written < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("write", path)
            }
            written += count
        }
    }

    static func synchronize(descriptor: CInt, path: String) throws {
        guard fsync(descriptor) == 0 else { throw FileSystemError("fsync", path) }
    }

    static func moveItem(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw FileSystemError("rename", "\(source) -> \(destination)")
        }
    }

    /// Removes a file; a file already gone is not an error.
    static func removeFile(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw FileSystemError("unlink", path) }
    }

    /// Removes an empty folder; false when it is not empty, not a folder, or not there.
    static func removeEmptyFolder(_ path: String) -> Bool {
        rmdir(path) == 0
    }

    /// Creates a folder; one already there is not an error.
    static func makeFolder(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw FileSystemError("mkdir", path) }
    }

    /// Creates a folder and the missing folders above it.
    static func makeFolders(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw FileSystemError("mkdir", path) }
        let parent = (path as NSString).deletingLastPathComponent
        guard parent != path, !parent.isEmpty else { throw FileSystemError("mkdir", path) }
        try makeFolders(parent)
        try makeFolder(path)
    }

    /// Removes a folder and everything in it, never following symbolic links; one already gone is not an error.
    static func removeTree(_ path: String) throws {
        for entry in try folderEntries(path) ?? [] {
            let child = path + "/" + entry.name
            let kind = try entry.kind ?? status(atPath: child, followingLinks: false)?.kind
            if kind == .directory {
                try removeTree(child)
            } else {
                try removeFile(child)
            }
        }
        guard rmdir(path) == 0 || errno == ENOENT else { throw FileSystemError("rmdir", path) }
    }

    /// An entry of a folder as `readdir` gives it: the name as bytes (names need not be UTF-8) and what `d_type`
    /// tells of its kind, nil when the filesystem does not say.
    struct FolderEntry {
        var nameBytes: [UInt8]
        var kind: FileStatus.Kind?

        /// The name as text, nil when it is not valid UTF-8 and so cannot be part of an S3 key.
        var validName: String? { String(validating: nameBytes, as: UTF8.self) }
        var name: String { String(decoding: nameBytes, as: UTF8.self) }
    }

    /// The entries of a folder, without "." and ".."; nil when the folder is not there.
    static func folderEntries(_ path: String) throws -> [FolderEntry]? {
        guard let folder = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileSystemError("opendir", path)
        }
        defer { closedir(folder) }
        var entries: [FolderEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(folder) else {
                if errno != 0 { throw FileSystemError("readdir", path) }
                return entries
            }
            let nameBytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] { continue }
            let kind: FileStatus.Kind? =
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_REG): .regularFile
                case Int32(DT_DIR): .directory
                case Int32(DT_LNK): .symbolicLink
                case Int32(DT_UNKNOWN): nil
                default: .other
                }
            entries.append(FolderEntry(nameBytes: nameBytes, kind: kind))
        }
    }

    /// The whole content of a small file, nil when it is not there or larger than `maxBytes`.
    static func readSmallFile(_ path: String, maxBytes: Int) throws -> [UInt8]? {
        let descriptor: CInt
        do {
            descriptor = try openFile(path, flags: O_RDONLY | O_NOFOLLOW)
        } catch let error as FileSystemError where [ENOENT, ENOTDIR, ELOOP].contains(error.errorNumber) {
            return nil
        }
        defer { close(descriptor) }
        let status = try status(ofDescriptor: descriptor, path: path)
        guard status.kind == .regularFile, status.size <= maxBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: status.size)
        let count = try bytes.withUnsafeMutableBytes { buffer in
            try readBytes(descriptor: descriptor, into: buffer, offset: 0, path: path)
        }
        return Array(bytes.prefix(count))
    }

    /// Writes a new file at `path` (failing when one is there), flushed to disk.
    static func writeNewFile(_ path: String, bytes: [UInt8]) throws {
        let descriptor = try openFile(path, flags: O_WRONLY | O_CREAT | O_EXCL)
        defer { close(descriptor) }
        try bytes.withUnsafeBytes { try writeBytes(descriptor: descriptor, $0, path: path) }
        try synchronize(descriptor: descriptor, path: path)
    }

    /// True when the current process may read and list the folder.
    static func canReadFolder(_ path: String) -> Bool {
        access(path, R_OK | X_OK) == 0
    }
}
