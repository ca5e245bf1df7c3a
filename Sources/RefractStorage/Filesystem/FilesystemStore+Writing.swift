import Crypto
import Foundation
import NIOCore
import RefractCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FilesystemStore {
    /// How many bytes are gathered before a write to the temporary file, to make few large writes of the many
    /// small buffers a network body arrives in.
    static let writeChunkSize = 256 * 1024

    /// The folder for temporary files of a bucket: one on the bucket's filesystem, so that the rename that
    /// publishes an object is atomic. Blocking.
    func prepareStagingFolder(forBucketFolder bucketFolder: String) throws -> String {
        try FileSystemCalls.makeFolders(temporaryFolder)
        let stateDevice = try FileSystemCalls.status(atPath: temporaryFolder, followingLinks: true)?.device
        let bucketDevice = try FileSystemCalls.status(atPath: bucketFolder, followingLinks: true)?.device
        return stateDevice == bucketDevice ? temporaryFolder : bucketFolder + "/" + Self.reservedFolderName
    }

    /// Writes `body` to a new file in `folder`, computing its MD5 as the bytes pass, never holding more than a
    /// chunk of it. When the body fails or its MD5 is not `expectedMD5` (`BadDigest`), the file is removed.
    func stage(
        _ body: ObjectBody,
        in folder: String,
        expectedMD5: [UInt8]?
    ) async throws -> (file: StagedFile, md5: [UInt8]) {
        let file = try await blocking {
            try FileSystemCalls.makeFolders(folder)
            let path = folder + "/" + Self.randomName() + ".tmp"
            return try FileDescriptor(opening: path, flags: O_WRONLY | O_CREAT | O_EXCL)
        }
        do {
            var md5 = Insecure.MD5()
            var pending = ByteBuffer()
            for try await buffer in body {
                buffer.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
                if pending.readableBytes == 0, buffer.readableBytes >= Self.writeChunkSize {
                    try await append(buffer, to: file)
                    continue
                }
                pending.writeImmutableBuffer(buffer)
                if pending.readableBytes >= Self.writeChunkSize {
                    try await append(pending, to: file)
                    pending = ByteBuffer()
                }
            }
            if pending.readableBytes > 0 {
                try await append(pending, to: file)
            }
            let digest = Array(md5.finalize())
            if let expectedMD5, expectedMD5 != digest {
                throw RefractError.badDigest()
            }
            let status = try await finish(file)
            return (StagedFile(path: file.path, status: status), digest)
        } catch {
            file.close()
            await removeAbandonedFile(file.path)
            throw error
        }
    }

    /// Appends bytes to a file being staged.
    func append(_ buffer: ByteBuffer, to file: FileDescriptor) async throws {
        try await blocking {
            try file.withDescriptor { descriptor in
                try buffer.withUnsafeReadableBytes {
                    try FileSystemCalls.writeBytes(descriptor: descriptor, $0, path: file.path)
                }
            }
        }
    }

    /// Flushes a staged file to disk and closes it: an object acknowledged survives a crash.
    func finish(_ file: FileDescriptor) async throws -> FileStatus {
        let status = try await blocking {
            try file.withDescriptor { descriptor in
                try FileSystemCalls.synchronize(descriptor: descriptor, path: file.path)
                return try FileSystemCalls.status(ofDescriptor: descriptor, path: file.path)
            }
        }
        file.close()
        return status
    }

    /// Makes a staged file the object at `keyPath`: writes its metadata sidecar, then renames the file into place,
    /// creating the folders it needs. The staged file is removed when this fails.
    func publish(
        _ staged: StagedFile,
        bucket: String,
        keyPath: ObjectKeyPath,
        metadata: ObjectMetadata
    ) async throws -> ObjectInfo {
        do {
            try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                var location = try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder)
                try location.requireStorable(key: metadata.key)
                try writeSidecar(
                    MetadataSidecar(
                        key: metadata.key,
                        status: staged.status,
                        etag: metadata.etag,
                        contentType: metadata.contentType,
                        userMetadata: metadata.userMetadata
                    ),
                    bucket: bucket
                )
                // A delete of a neighbour may prune a folder just created for this object: look again, and retry.
                var attempts = 1
                while true {
                    for folder in location.missingFolders {
                        try FileSystemCalls.makeFolder(folder)
                    }
                    do {
                        try FileSystemCalls.moveItem(staged.path, to: location.path)
                        return
                    } catch let error as FileSystemError where error.errorNumber == ENOENT && attempts < 3 {
                        attempts += 1
                        location = try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder)
                        try location.requireStorable(key: metadata.key)
                    }
                }
            }
        } catch {
            await removeAbandonedFile(staged.path)
            throw error
        }
        return ObjectInfo(
            key: metadata.key,
            size: staged.status.size,
            etag: metadata.etag,
            lastModified: staged.status.modificationDate,
            contentType: metadata.contentType,
            userMetadata: metadata.userMetadata
        )
    }

    /// Writes a sidecar atomically: to a temporary file, then renamed over the old one. Blocking.
    func writeSidecar(_ sidecar: MetadataSidecar, bucket: String) throws {
        let path = sidecarPath(bucket: bucket, key: sidecar.key)
        try writeStateFile(at: path, bytes: try sidecar.encoded())
    }

    /// Writes a file of the store's state atomically, creating its folder. Blocking.
    func writeStateFile(at path: String, bytes: [UInt8]) throws {
        try FileSystemCalls.makeFolders((path as NSString).deletingLastPathComponent)
        try FileSystemCalls.makeFolders(temporaryFolder)
        let temporaryPath = temporaryFolder + "/" + Self.randomName() + ".json"
        do {
            try FileSystemCalls.writeNewFile(temporaryPath, bytes: bytes)
            try FileSystemCalls.moveItem(temporaryPath, to: path)
        } catch {
            try? FileSystemCalls.removeFile(temporaryPath)
            throw error
        }
    }
}
