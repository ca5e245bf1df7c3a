import Foundation
import RefractCore
import RefractStorage
import Testing

extension FilesystemStoreTests {
    @Suite struct Multipart {
        static let partSize = 5 * 1024 * 1024

        func upload(
            _ fixture: StoreFixture,
            _ uploadID: String,
            _ partNumber: Int,
            _ bytes: [UInt8],
            key: String = "big.bin",
            contentMD5: [UInt8]? = nil
        ) async throws -> PartInfo {
            try await fixture.store.uploadPart(
                bucket: "bucket",
                key: key,
                uploadID: uploadID,
                partNumber: partNumber,
                body: FilesystemStoreTests.body(bytes, chunkSize: 64 * 1024),
                contentLength: bytes.count,
                contentMD5: contentMD5
            )
        }

        func create(_ fixture: StoreFixture, key: String = "big.bin", options: PutOptions = PutOptions()) async throws
            -> String
        {
            try await fixture.store.createMultipartUpload(bucket: "bucket", key: key, options: options)
        }

        @Test func partsJoinIntoTheObjectWithS3sETag() async throws {
            let fixture = try StoreFixture()
            let options = PutOptions(contentType: "application/x-custom", userMetadata: ["origin": "multipart"])
            let uploadID = try await create(fixture, options: options)
            #expect(uploadID.count == 32)
            #expect(try await create(fixture) != uploadID)

            let parts = [randomBytes(Self.partSize + 123), randomBytes(Self.partSize), randomBytes(1000)]
            // Out of order, and part 2 uploaded twice: the second replaces the first.
            _ = try await upload(fixture, uploadID, 3, parts[2])
            _ = try await upload(fixture, uploadID, 2, randomBytes(Self.partSize))
            let first = try await upload(fixture, uploadID, 1, parts[0], contentMD5: md5(parts[0]))
            _ = try await upload(fixture, uploadID, 2, parts[1])
            #expect(first.etag == "\"\(hex(md5(parts[0])))\"")
            #expect(first.size == parts[0].count)

            let listed = try await fixture.store.listParts(bucket: "bucket", key: "big.bin", uploadID: uploadID)
            #expect(listed.map(\.partNumber) == [1, 2, 3])
            #expect(listed.map(\.etag) == parts.map { "\"\(hex(md5($0)))\"" })
            #expect(listed.map(\.size) == parts.map(\.count))

            let completed = try await fixture.store.completeMultipartUpload(
                bucket: "bucket",
                key: "big.bin",
                uploadID: uploadID,
                // Clients send the ETags with or without quotes.
                parts: zip(1..., listed).map {
                    CompletedPart(partNumber: $0, etag: $0 == 2 ? hex(md5(parts[1])) : $1.etag)
                }
            )
            let expectedETag = "\"\(hex(md5(parts.flatMap { md5($0) })))-3\""
            #expect(completed.etag == expectedETag)
            #expect(completed.size == parts.map(\.count).reduce(0, +))
            #expect(completed.contentType == "application/x-custom")
            #expect(completed.userMetadata == ["origin": "multipart"])

            let (read, bytes) = try await fixture.read("big.bin")
            #expect(bytes == parts.flatMap { $0 })
            #expect(read.info == completed)
            await expectError(.noSuchUpload()) {
                _ = try await fixture.store.listParts(bucket: "bucket", key: "big.bin", uploadID: uploadID)
            }
            #expect(!fixture.exists(".refract/uploads/" + uploadID))
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
        }

        @Test func aSinglePartMayBeSmall() async throws {
            let fixture = try StoreFixture()
            let uploadID = try await create(fixture, key: "small.txt")
            let part = try await upload(fixture, uploadID, 1, Array("tiny".utf8), key: "small.txt")
            let completed = try await fixture.store.completeMultipartUpload(
                bucket: "bucket",
                key: "small.txt",
                uploadID: uploadID,
                parts: [CompletedPart(partNumber: 1, etag: part.etag)]
            )
            #expect(completed.etag == "\"\(hex(md5(md5(Array("tiny".utf8)))))-1\"")
            #expect(completed.contentType == "text/plain")
            #expect(try await fixture.read("small.txt").1 == Array("tiny".utf8))
        }

        @Test(arguments: [0, -1, 10_001])
        func partNumbersOutsideOneToTenThousandAreRefused(partNumber: Int) async throws {
            let fixture = try StoreFixture()
            let uploadID = try await create(fixture)
            await expectError(.invalidArgument("")) { _ = try await upload(fixture, uploadID, partNumber, [1]) }
            #expect(try await fixture.store.listParts(bucket: "bucket", key: "big.bin", uploadID: uploadID).isEmpty)
            #expect(try await upload(fixture, uploadID, 10_000, [1]).partNumber == 10_000)
        }

        @Test func unknownUploadsAndUploadsOfAnotherObjectAreNoSuchUpload() async throws {
            let fixture = try StoreFixture()
            try FileManager.default.createDirectory(atPath: fixture.root + "/other", withIntermediateDirectories: true)
            let uploadID = try await create(fixture)
            let store = fixture.store
            let wrong: [(bucket: String, key: String, uploadID: String)] = [
                ("bucket", "big.bin", String(repeating: "0", count: 32)),
                ("bucket", "big.bin", "../../tmp"),
                ("bucket", "big.bin", uploadID.uppercased()),
                ("bucket", "big.bin", ""),
                ("bucket", "other.bin", uploadID),
                ("other", "big.bin", uploadID),
            ]
            for target in wrong {
                await expectError(.noSuchUpload()) {
                    _ = try await store.uploadPart(
                        bucket: target.bucket,
                        key: target.key,
                        uploadID: target.uploadID,
                        partNumber: 1,
                        body: FilesystemStoreTests.body([1]),
                        contentLength: 1,
                        contentMD5: nil
                    )
                }
                await expectError(.noSuchUpload()) {
                    _ = try await store.listParts(bucket: target.bucket, key: target.key, uploadID: target.uploadID)
                }
                await expectError(.noSuchUpload()) {
                    _ = try await store.completeMultipartUpload(
                        bucket: target.bucket,
                        key: target.key,
                        uploadID: target.uploadID,
                        parts: [CompletedPart(partNumber: 1, etag: "x")]
                    )
                }
                await expectError(.noSuchUpload()) {
                    try await store.abortMultipartUpload(
                        bucket: target.bucket, key: target.key, uploadID: target.uploadID)
                }
            }
            #expect(try await store.listParts(bucket: "bucket", key: "big.bin", uploadID: uploadID).isEmpty)
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
        }

        @Test func completionChecksThePartList() async throws {
            let fixture = try StoreFixture()
            let uploadID = try await create(fixture)
            let small = try await upload(fixture, uploadID, 1, randomBytes(1000))
            let large = try await upload(fixture, uploadID, 2, randomBytes(Self.partSize))
            let last = try await upload(fixture, uploadID, 3, randomBytes(10))
            func complete(_ parts: [(Int, String)]) async throws {
                _ = try await fixture.store.completeMultipartUpload(
                    bucket: "bucket",
                    key: "big.bin",
                    uploadID: uploadID,
                    parts: parts.map { CompletedPart(partNumber: $0.0, etag: $0.1) }
                )
            }

            await expectError(.malformedXML()) { try await complete([]) }
            await expectError(.invalidPartOrder()) { try await complete([(2, large.etag), (1, small.etag)]) }
            await expectError(.invalidPartOrder()) { try await complete([(2, large.etag), (2, large.etag)]) }
            await expectError(.invalidPart()) { try await complete([(2, large.etag), (4, last.etag)]) }
            await expectError(.invalidPart()) { try await complete([(2, large.etag), (3, small.etag)]) }
            await expectError(.entityTooSmall()) { try await complete([(1, small.etag), (2, large.etag)]) }
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "big.bin") }

            // The failures changed nothing: the upload completes with a valid list.
            let completed = try await fixture.store.completeMultipartUpload(
                bucket: "bucket",
                key: "big.bin",
                uploadID: uploadID,
                parts: [CompletedPart(partNumber: 2, etag: large.etag), CompletedPart(partNumber: 3, etag: last.etag)]
            )
            #expect(completed.size == Self.partSize + 10)
            #expect(completed.etag.hasSuffix("-2\""))
        }

        @Test func aPartWithAWrongContentMD5IsNotStored() async throws {
            let fixture = try StoreFixture()
            let uploadID = try await create(fixture)
            await expectError(.badDigest()) {
                _ = try await upload(fixture, uploadID, 1, Array("part".utf8), contentMD5: md5(Array("other".utf8)))
            }
            #expect(try await fixture.store.listParts(bucket: "bucket", key: "big.bin", uploadID: uploadID).isEmpty)
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
        }

        @Test func abortRemovesTheUploadAndItsParts() async throws {
            let fixture = try StoreFixture()
            let uploadID = try await create(fixture)
            _ = try await upload(fixture, uploadID, 1, randomBytes(1000))
            #expect(fixture.exists(".refract/uploads/" + uploadID))
            try await fixture.store.abortMultipartUpload(bucket: "bucket", key: "big.bin", uploadID: uploadID)
            #expect(!fixture.exists(".refract/uploads/" + uploadID))
            await expectError(.noSuchUpload()) {
                _ = try await fixture.store.listParts(bucket: "bucket", key: "big.bin", uploadID: uploadID)
            }
            await expectError(.noSuchUpload()) { _ = try await upload(fixture, uploadID, 2, [1]) }
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "big.bin") }
        }

        @Test func uploadsNeedAnExistingBucketAndAStorableKey() async throws {
            let fixture = try StoreFixture()
            await expectError(.noSuchBucket()) {
                _ = try await fixture.store.createMultipartUpload(bucket: "missing", key: "k", options: PutOptions())
            }
            try await fixture.put("file", [1])
            await expectError(.invalidArgument("")) { _ = try await create(fixture, key: "file/below") }
        }
    }
}
