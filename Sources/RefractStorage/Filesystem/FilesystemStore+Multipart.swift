import Crypto
import Foundation
import Logging
public import RefractCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FilesystemStore {
    /// The least size of every part but the last, as in S3.
    static let minimumPartSize = 5 * 1024 * 1024
    static let partNumbers = 1...10_000
    /// How many bytes each thread-pool job copies when parts are joined.
    static let copyChunkSize = 1024 * 1024

    /// Starts an upload; its id is 128 random bits in hex, so ids cannot be guessed.
    public func createMultipartUpload(bucket: String, key: String, options: PutOptions) async throws -> String {
        try await translatingErrors("createMultipartUpload", bucket: bucket, key: key) {
            try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let keyPath = try ObjectKeyPath(validating: key)
                try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder).requireStorable(key: key)
                let uploadID = Self.randomName()
                let folder = uploadsFolder + "/" + uploadID
                try FileSystemCalls.makeFolders(folder)
                let upload = MultipartUpload(
                    bucket: bucket,
                    key: key,
                    contentType: options.contentType,
                    userMetadata: options.userMetadata
                )
                try writeStateFile(at: folder + "/" + MultipartUpload.recordName, bytes: try upload.encoded())
                return uploadID
            }
        }
    }

    /// Streams a part to a temporary file, then renames it into the upload's folder, replacing a part with the
    /// same number.
    public func uploadPart(
        bucket: String,
        key: String,
        uploadID: String,
        partNumber: Int,
        body: ObjectBody,
        contentLength: Int?,
        contentMD5: [UInt8]?
    ) async throws -> PartInfo {
        try await translatingErrors("uploadPart", bucket: bucket, key: key) {
            guard Self.partNumbers.contains(partNumber) else {
                throw RefractError.invalidArgument("Part number must be an integer between 1 and 10000, inclusive.")
            }
            let folder = try await blocking {
                _ = try resolveBucketFolder(bucket)
                return try openUpload(uploadID, bucket: bucket, key: key).folder
            }
            let (staged, md5) = try await stage(body, in: temporaryFolder, expectedMD5: contentMD5)
            do {
                try await blocking {
                    // The upload may have been completed or aborted while the part streamed in.
                    _ = try openUpload(uploadID, bucket: bucket, key: key)
                    let partPath = folder + "/" + MultipartUpload.partFileName(partNumber)
                    let record = PartRecord(
                        md5: EntityTag.hex(md5),
                        size: staged.status.size,
                        modificationNanoseconds: staged.status.modificationNanoseconds
                    )
                    try writeStateFile(at: partPath + ".json", bytes: try record.encoded())
                    try FileSystemCalls.moveItem(staged.path, to: partPath)
                }
            } catch {
                await removeAbandonedFile(staged.path)
                throw error
            }
            return PartInfo(
                partNumber: partNumber,
                etag: EntityTag.singlePart(md5: md5),
                size: staged.status.size,
                lastModified: staged.status.modificationDate
            )
        }
    }

    /// The upload's parts, by part number.
    public func listParts(bucket: String, key: String, uploadID: String) async throws -> [PartInfo] {
        try await translatingErrors("listParts", bucket: bucket, key: key) {
            try await blocking {
                _ = try resolveBucketFolder(bucket)
                let folder = try openUpload(uploadID, bucket: bucket, key: key).folder
                return try readStoredParts(in: folder).map(\.info)
            }
        }
    }

    /// Joins the named parts into the object, streaming them one chunk at a time into a temporary file that is
    /// then published as `put` does, and removes the upload. The ETag is S3's for multipart objects.
    public func completeMultipartUpload(
        bucket: String,
        key: String,
        uploadID: String,
        parts: [CompletedPart]
    ) async throws -> ObjectInfo {
        try await translatingErrors("completeMultipartUpload", bucket: bucket, key: key) {
            guard !parts.isEmpty else { throw RefractError.malformedXML() }
            for (previous, next) in zip(parts, parts.dropFirst()) where previous.partNumber >= next.partNumber {
                throw RefractError.invalidPartOrder()
            }
            let (folder, upload, storedParts, keyPath, stagingFolder) = try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let (folder, upload) = try openUpload(uploadID, bucket: bucket, key: key)
                let keyPath = try ObjectKeyPath(validating: key)
                try KeyLocation.resolve(keyPath, inBucketFolder: bucketFolder).requireStorable(key: key)
                let storedParts = try readStoredParts(in: folder)
                return (folder, upload, storedParts, keyPath, try prepareStagingFolder(forBucketFolder: bucketFolder))
            }
            let storedByNumber = Dictionary(uniqueKeysWithValues: storedParts.map { ($0.partNumber, $0) })
            var chosen: [StoredPart] = []
            for (index, part) in parts.enumerated() {
                guard let stored = storedByNumber[part.partNumber],
                    EntityTag.normalized(part.etag) == EntityTag.hex(stored.md5)
                else {
                    throw RefractError.invalidPart(
                        "Part \(part.partNumber) was not uploaded, or its ETag is not the one given."
                    )
                }
                if index < parts.count - 1, stored.status.size < Self.minimumPartSize {
                    throw RefractError.entityTooSmall(
                        "Part \(part.partNumber) is \(stored.status.size) bytes; every part but the last must be at "
                            + "least 5 MiB."
                    )
                }
                chosen.append(stored)
            }
            let staged = try await concatenate(chosen, in: stagingFolder)
            let info = try await publish(
                staged,
                bucket: bucket,
                keyPath: keyPath,
                metadata: ObjectMetadata(
                    key: key,
                    etag: EntityTag.multipart(partMD5s: chosen.map(\.md5)),
                    contentType: upload.contentType ?? MediaType.forFileName(keyPath.fileName),
                    userMetadata: upload.userMetadata
                )
            )
            do {
                try await blocking { try Self.removeUpload(at: folder) }
            } catch {
                // The object is complete and visible: a leftover folder is no reason to report a failure.
                logger.warning(
                    "Could not remove a completed multipart upload",
                    metadata: ["upload": "\(uploadID)", "error": "\(error)"]
                )
            }
            return info
        }
    }

    /// Removes the upload and its parts.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        try await translatingErrors("abortMultipartUpload", bucket: bucket, key: key) {
            try await blocking {
                _ = try resolveBucketFolder(bucket)
                try Self.removeUpload(at: try openUpload(uploadID, bucket: bucket, key: key).folder)
            }
        }
    }
}

extension FilesystemStore {
    /// The folder and record of an upload of `key` in `bucket`; `NoSuchUpload` for any other. Blocking.
    func openUpload(_ uploadID: String, bucket: String, key: String) throws -> (
        folder: String, upload: MultipartUpload
    ) {
        guard MultipartUpload.isValidID(uploadID) else { throw RefractError.noSuchUpload() }
        let folder = uploadsFolder + "/" + uploadID
        let recordBytes = try FileSystemCalls.readSmallFile(
            folder + "/" + MultipartUpload.recordName,
            maxBytes: MultipartUpload.maxRecordBytes
        )
        guard let upload = recordBytes.flatMap(MultipartUpload.decoded(from:)),
            upload.bucket.utf8.elementsEqual(bucket.utf8), upload.key.utf8.elementsEqual(key.utf8)
        else { throw RefractError.noSuchUpload() }
        return (folder, upload)
    }

    /// The parts in an upload's folder, by part number. Blocking.
    func readStoredParts(in folder: String) throws -> [StoredPart] {
        var parts: [StoredPart] = []
        for entry in try FileSystemCalls.folderEntries(folder) ?? [] {
            guard let partNumber = MultipartUpload.partNumber(ofFileName: entry.name) else { continue }
            let path = folder + "/" + entry.name
            guard let status = try FileSystemCalls.status(atPath: path, followingLinks: false),
                status.kind == .regularFile
            else { continue }
            let record = try FileSystemCalls.readSmallFile(path + ".json", maxBytes: MultipartUpload.maxRecordBytes)
                .flatMap(PartRecord.decoded(from:))
            let md5: [UInt8]
            if let record, record.describes(status), let recorded = EntityTag.md5Bytes(fromHex: record.md5) {
                md5 = recorded
            } else {
                // Two uploads of the same part number raced, and the record is the other one's: read the bytes.
                md5 = try Self.md5OfFile(at: path)
            }
            parts.append(StoredPart(partNumber: partNumber, path: path, md5: md5, status: status))
        }
        return parts.sorted { $0.partNumber < $1.partNumber }
    }

    /// Copies the parts, in order, into a new temporary file in `folder`, a chunk per thread-pool job.
    func concatenate(_ parts: [StoredPart], in folder: String) async throws -> StagedFile {
        let output = try await blocking {
            try FileSystemCalls.makeFolders(folder)
            let path = folder + "/" + Self.randomName() + ".tmp"
            return try FileDescriptor(opening: path, flags: O_WRONLY | O_CREAT | O_EXCL)
        }
        do {
            for part in parts {
                let input = try await blocking { try FileDescriptor(opening: part.path, flags: O_RDONLY | O_NOFOLLOW) }
                var offset = 0
                while offset < part.status.size {
                    let count = min(Self.copyChunkSize, part.status.size - offset)
                    let chunkOffset = offset
                    try await blocking { try Self.copy(count, at: chunkOffset, from: input, to: output) }
                    offset += count
                }
                input.close()
            }
            return StagedFile(path: output.path, status: try await finish(output))
        } catch {
            output.close()
            await removeAbandonedFile(output.path)
            throw error
        }
    }

    /// Appends `count` bytes of `input`, from `offset`, to `output`. Blocking.
    private static func copy(_ count: Int, at offset: Int, from input: FileDescriptor, to output: FileDescriptor) throws
    {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { buffer.deallocate() }
        let read = try input.withDescriptor { descriptor in
            try FileSystemCalls.readBytes(descriptor: descriptor, into: buffer, offset: offset, path: input.path)
        }
        guard read == count else {
            throw RefractError.internalError("A part changed while the multipart upload was being completed.")
        }
        try output.withDescriptor { descriptor in
            try FileSystemCalls.writeBytes(descriptor: descriptor, UnsafeRawBufferPointer(buffer), path: output.path)
        }
    }

    /// The MD5 of a file's bytes, read a chunk at a time. Blocking.
    private static func md5OfFile(at path: String) throws -> [UInt8] {
        let file = try FileDescriptor(opening: path, flags: O_RDONLY | O_NOFOLLOW)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: copyChunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var md5 = Insecure.MD5()
        var offset = 0
        while true {
            let count = try file.withDescriptor { descriptor in
                try FileSystemCalls.readBytes(descriptor: descriptor, into: buffer, offset: offset, path: path)
            }
            if count == 0 { break }
            md5.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer.prefix(count)))
            offset += count
        }
        return Array(md5.finalize())
    }

    /// Removes an upload: its record first, so that it is gone at once even if removing its parts fails. Blocking.
    private static func removeUpload(at folder: String) throws {
        try FileSystemCalls.removeFile(folder + "/" + MultipartUpload.recordName)
        try FileSystemCalls.removeTree(folder)
    }
}
