import Foundation
public import Logging
import NIOCore
public import NIOPosix
public import RefractCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded object store: a folder whose subfolders are buckets and whose files are objects (`type: filesystem`).
///
/// The object `photos` / `2024/cat.jpg` is the file `<root>/photos/2024/cat.jpg`, so files put in the folder by hand
/// are served too. The store keeps its own state in `<root>/.refract/` (never a bucket, as "." cannot start a bucket
/// name): `tmp/` for files being written, `meta/` for the metadata of objects it wrote (see `MetadataSidecar`),
/// `uploads/` for multipart uploads. Writes go to a temporary file on the same filesystem and are renamed into place
/// once complete and verified, so a reader never sees half an object. A bucket folder on another filesystem than
/// the root (a symbolic link, a mount point) gets its temporary files in its own `.refract-tmp/` folder instead,
/// which listings skip and keys cannot name.
///
/// All file work runs on a `NIOThreadPool`, never on the caller's executor. Reading needs nothing but read access:
/// `.refract/` is created on the first write, so a read-only root serves its files.
public struct FilesystemStore: ObjectStore {
    /// The folder, at the top of a bucket on another filesystem than the root, where writes to it are staged.
    static let reservedFolderName = ".refract-tmp"

    /// The absolute path of the folder that holds the buckets.
    public let root: String
    let threadPool: NIOThreadPool
    let logger: Logger

    /// - Parameters:
    ///   - root: the folder that holds the buckets; a relative path is taken from the current directory. It need
    ///     not exist yet (``checkReady()`` reports it).
    ///   - threadPool: where the blocking file work runs; a pool other than the singleton must be started.
    public init(root: String, threadPool: NIOThreadPool = .singleton, logger: Logger) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.threadPool = threadPool
        self.logger = logger
    }

    public var kind: String { "filesystem" }
    public var location: String { root }

    var stateFolder: String { root + "/.refract" }
    var temporaryFolder: String { stateFolder + "/tmp" }
    var uploadsFolder: String { stateFolder + "/uploads" }

    public func checkReady() async throws {
        let root = self.root
        let isReadable = try await blocking {
            let status = try? FileSystemCalls.status(atPath: root, followingLinks: true)
            return status?.kind == .directory && FileSystemCalls.canReadFolder(root)
        }
        guard isReadable else {
            throw RefractError.serviceUnavailable("The filesystem store's root folder is missing or unreadable.")
        }
    }

    public func checkBucket(_ bucket: String) async throws {
        try await translatingErrors("checkBucket", bucket: bucket) {
            _ = try await blocking { try resolveBucketFolder(bucket) }
        }
    }

    /// The folders directly under the root that are valid S3 bucket names, sorted: the buckets to serve when the
    /// configuration names none. Blocking.
    public func bucketNames() throws -> [String] {
        guard let entries = try FileSystemCalls.folderEntries(root) else {
            throw RefractError.serviceUnavailable("The storage folder \(root) does not exist.")
        }
        return try entries.compactMap { entry in
            guard let name = entry.validName, BucketName.isValid(name) else { return nil }
            let status = try FileSystemCalls.status(atPath: root + "/" + name, followingLinks: true)
            return status?.kind == .directory ? name : nil
        }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func head(bucket: String, key: String, conditions: ReadConditions) async throws -> ObjectInfo {
        try await translatingErrors("head", bucket: bucket, key: key) {
            try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let keyPath = try ObjectKeyPath(validating: key)
                let location = try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder)
                guard case .file(_, let status) = location.entry else { throw RefractError.noSuchKey() }
                let info = try objectInfo(bucket: bucket, key: key, fileName: keyPath.fileName, status: status)
                try conditions.evaluate(etag: info.etag, lastModified: info.lastModified)
                return info
            }
        }
    }

    /// The object and its bytes; `range` is resolved here against the size of the file as opened.
    public func get(
        bucket: String,
        key: String,
        range: ByteRange?,
        conditions: ReadConditions
    ) async throws -> ObjectRead {
        try await translatingErrors("get", bucket: bucket, key: key) {
            let (file, info, resolvedRange) = try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let keyPath = try ObjectKeyPath(validating: key)
                let location = try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder)
                guard case .file(let realPath, _) = location.entry else { throw RefractError.noSuchKey() }
                let file: FileDescriptor
                do {
                    // O_NONBLOCK: a pipe swapped in since the check above must not block the thread.
                    file = try FileDescriptor(opening: realPath, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
                } catch let error as FileSystemError where [ENOENT, ENOTDIR, ELOOP].contains(error.errorNumber) {
                    throw RefractError.noSuchKey()
                }
                let status = try file.withDescriptor {
                    try FileSystemCalls.status(ofDescriptor: $0, path: realPath)
                }
                do {
                    guard status.kind == .regularFile else { throw RefractError.noSuchKey() }
                    let info = try objectInfo(bucket: bucket, key: key, fileName: keyPath.fileName, status: status)
                    // Conditions first, then the range, as S3 orders them.
                    try conditions.evaluate(etag: info.etag, lastModified: info.lastModified)
                    var resolvedRange: ClosedRange<Int>?
                    if let range {
                        guard let resolved = range.resolve(size: info.size) else { throw RefractError.invalidRange() }
                        resolvedRange = resolved
                    }
                    return (file, info, resolvedRange)
                } catch {
                    file.close()
                    throw error
                }
            }
            let byteRange = resolvedRange.map { $0.lowerBound..<($0.upperBound + 1) } ?? 0..<info.size
            let body = FileBody(file: file, byteRange: byteRange, threadPool: threadPool)
            return ObjectRead(info: info, range: resolvedRange, body: ObjectBody(body))
        }
    }

    /// Streams `body` into a temporary file, then makes it the object; the Content-Type defaults to the one of the
    /// key's extension.
    public func put(bucket: String, key: String, body: ObjectBody, options: PutOptions) async throws -> ObjectInfo {
        try await translatingErrors("put", bucket: bucket, key: key) {
            let (keyPath, stagingFolder) = try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let keyPath = try ObjectKeyPath(validating: key)
                // Refuse a key that cannot be stored before its body is read, not after.
                try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder).requireStorable(key: key)
                return (keyPath, try prepareStagingFolder(forBucketFolder: bucketFolder))
            }
            let (staged, md5) = try await stage(body, in: stagingFolder, expectedMD5: options.contentMD5)
            return try await publish(
                staged,
                bucket: bucket,
                keyPath: keyPath,
                metadata: ObjectMetadata(
                    key: key,
                    etag: EntityTag.singlePart(md5: md5),
                    contentType: options.contentType ?? MediaType.forFileName(keyPath.fileName),
                    userMetadata: options.userMetadata
                )
            )
        }
    }

    /// Removes the object's file and metadata, then the folders above it that became empty (never the bucket's).
    public func delete(bucket: String, key: String) async throws {
        try await translatingErrors("delete", bucket: bucket, key: key) {
            try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let keyPath = try ObjectKeyPath(validating: key)
                let location = try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder)
                guard case .file = location.entry else { return }
                // The path, not the real path: for a symbolic link, the link goes and its target stays.
                try FileSystemCalls.removeFile(location.path)
                try FileSystemCalls.removeFile(sidecarPath(bucket: bucket, key: key))
                for depth in stride(from: keyPath.folders.count, to: 0, by: -1) {
                    let folder = bucketFolder + "/" + keyPath.folders[..<depth].joined(separator: "/")
                    guard FileSystemCalls.removeEmptyFolder(folder) else { break }
                }
            }
        }
    }
}

extension FilesystemStore {
    /// Runs blocking work on the thread pool.
    func blocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await threadPool.runIfActive(body)
    }

    /// Removes a file left by a write that did not complete; runs even when the calling task is cancelled, as
    /// cleanup must.
    func removeAbandonedFile(_ path: String) async {
        let threadPool = self.threadPool
        let result = await Task.detached {
            try await threadPool.runIfActive { try FileSystemCalls.removeFile(path) }
        }.result
        if case .failure(let error) = result {
            logger.warning("Could not remove an abandoned temporary file", metadata: ["error": "\(error)"])
        }
    }

    /// Turns a failed system call into an error a client may see, logging what happened. Other errors pass
    /// unchanged: a body's own (a client that went away), a cancellation.
    func translatingErrors<Result>(
        _ operation: String,
        bucket: String,
        key: String? = nil,
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch let error as FileSystemError {
            var metadata: Logger.Metadata = ["operation": "\(operation)", "bucket": "\(bucket)", "error": "\(error)"]
            if let key { metadata["key"] = "\(key)" }
            logger.error("Filesystem store failure", metadata: metadata)
            switch error.errorNumber {
            case EACCES, EPERM: throw RefractError.accessDenied("The gateway is not allowed to access this path.")
            case ENOSPC, EDQUOT: throw RefractError.internalError("The filesystem store is out of space.")
            case EROFS: throw RefractError.internalError("The filesystem store is read-only.")
            default: throw RefractError.internalError()
            }
        }
    }

    /// The real path of a bucket's folder; `NoSuchBucket` when there is none. Blocking.
    func resolveBucketFolder(_ bucket: String) throws -> String {
        let bytes = Array(bucket.utf8)
        guard !bytes.isEmpty, bytes.count <= ObjectKeyPath.maxSegmentBytes, bytes[0] != UInt8(ascii: "."),
            !bytes.contains(UInt8(ascii: "/")), !bytes.contains(0),
            let folder = try FileSystemCalls.realPath(root + "/" + bucket),
            try FileSystemCalls.status(atPath: folder, followingLinks: true)?.kind == .directory
        else { throw RefractError.noSuchBucket() }
        return folder
    }

    /// Where the object's metadata sidecar is.
    func sidecarPath(bucket: String, key: String) -> String {
        stateFolder + "/" + MetadataSidecar.relativePath(bucket: bucket, key: key)
    }

    /// What a client sees of the file at `key`: from its sidecar when one still describes it, else derived from the
    /// file itself. Blocking.
    func objectInfo(bucket: String, key: String, fileName: String, status: FileStatus) throws -> ObjectInfo {
        let sidecarBytes = try FileSystemCalls.readSmallFile(
            sidecarPath(bucket: bucket, key: key),
            maxBytes: MetadataSidecar.maxBytes
        )
        if let sidecar = sidecarBytes.flatMap(MetadataSidecar.decoded(from:)),
            sidecar.describes(key: key, status: status)
        {
            return ObjectInfo(
                key: key,
                size: status.size,
                etag: sidecar.etag,
                lastModified: status.modificationDate,
                contentType: sidecar.contentType,
                userMetadata: sidecar.userMetadata
            )
        }
        return ObjectInfo(
            key: key,
            size: status.size,
            etag: EntityTag.derived(from: status),
            lastModified: status.modificationDate,
            contentType: MediaType.forFileName(fileName)
        )
    }

    /// A name no other file will have: 128 random bits in hex.
    static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        return EntityTag.hex((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
