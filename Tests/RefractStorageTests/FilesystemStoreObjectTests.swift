import Foundation
import Logging
import NIOCore
import RefractCore
import RefractStorage
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FilesystemStoreTests {
    @Suite struct Objects {
        @Test func putThenGetRoundTripsBytesAndMetadata() async throws {
            let fixture = try StoreFixture()
            let content = randomBytes(700_000)
            let options = PutOptions(contentType: "text/x-custom", userMetadata: ["author": "ann", "tag": "été"])
            let stored = try await fixture.put("photos/2024/cat.txt", content, options: options)

            #expect(stored.etag == "\"\(hex(md5(content)))\"")
            #expect(stored.size == content.count)
            #expect(stored.contentType == "text/x-custom")
            #expect(stored.userMetadata == ["author": "ann", "tag": "été"])
            let (read, bytes) = try await fixture.read("photos/2024/cat.txt")
            #expect(bytes == content)
            #expect(read.range == nil)
            #expect(read.info == stored)
            #expect(try await fixture.store.head(bucket: "bucket", key: "photos/2024/cat.txt") == stored)
            #expect(fixture.exists("bucket/photos/2024/cat.txt"))
        }

        @Test func putWithoutContentTypeTakesTheExtensions() async throws {
            let fixture = try StoreFixture()
            #expect(try await fixture.put("a/b.PNG", [1, 2, 3]).contentType == "image/png")
            #expect(try await fixture.put("notes", [1]).contentType == "application/octet-stream")
        }

        @Test func emptyObjectRoundTrips() async throws {
            let fixture = try StoreFixture()
            let stored = try await fixture.put("empty.txt", [])
            #expect(stored.etag == "\"d41d8cd98f00b204e9800998ecf8427e\"")
            let (read, bytes) = try await fixture.read("empty.txt")
            #expect(bytes.isEmpty)
            #expect(read.info.size == 0)
        }

        @Test func fileDroppedByHandHasDerivedETagAndTypeFromExtension() async throws {
            let fixture = try StoreFixture()
            try fixture.writeByHand("bucket/notes/readme.md", Array("# Hello".utf8))
            var status = stat()
            #expect(stat(fixture.root + "/bucket/notes/readme.md", &status) == 0)
            let nanoseconds = UInt64(status.st_mtim.tv_sec) * 1_000_000_000 + UInt64(status.st_mtim.tv_nsec)

            let info = try await fixture.store.head(bucket: "bucket", key: "notes/readme.md")
            #expect(info.etag == "\"7-\(String(nanoseconds, radix: 16))\"")
            #expect(info.contentType == "text/markdown")
            #expect(info.userMetadata.isEmpty)
            #expect(info.size == 7)
            #expect(try await fixture.store.head(bucket: "bucket", key: "notes/readme.md") == info)
            let (_, bytes) = try await fixture.read("notes/readme.md")
            #expect(bytes == Array("# Hello".utf8))
            // Reading needs no state: nothing was created.
            #expect(!fixture.exists(".refract"))
        }

        @Test func fileReplacedByHandIsNoLongerDescribedByItsSidecar() async throws {
            let fixture = try StoreFixture()
            let options = PutOptions(contentType: "text/x-custom", userMetadata: ["author": "ann"])
            let stored = try await fixture.put("doc.txt", Array("original".utf8), options: options)
            #expect(try await fixture.store.head(bucket: "bucket", key: "doc.txt").etag == stored.etag)

            // Same size, new modification time: still a different file.
            try fixture.writeByHand("bucket/doc.txt", Array("replaced".utf8))
            let path = fixture.root + "/bucket/doc.txt"
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_000)], ofItemAtPath: path)
            let info = try await fixture.store.head(bucket: "bucket", key: "doc.txt")
            #expect(info.etag != stored.etag)
            #expect(info.etag.contains("-"))
            #expect(info.contentType == "text/plain")
            #expect(info.userMetadata.isEmpty)
            #expect(info.lastModified == Date(timeIntervalSince1970: 1_000))

            // A different size.
            try fixture.writeByHand("bucket/doc.txt", Array("longer content".utf8))
            let longer = try await fixture.store.head(bucket: "bucket", key: "doc.txt")
            #expect(longer.etag.hasPrefix("\"e-"))
            #expect(longer.userMetadata.isEmpty)
        }

        @Test(arguments: [
            ("bytes=0-99", 0...99),
            ("bytes=900-", 900...999),
            ("bytes=-100", 900...999),
            ("bytes=990-2000", 990...999),
            ("bytes=-5000", 0...999),
            ("bytes=500-500", 500...500),
        ])
        func rangeReadsReturnTheRange(header: String, expected: ClosedRange<Int>) async throws {
            let fixture = try StoreFixture()
            let content = randomBytes(1000)
            try await fixture.put("data.bin", content)
            let (read, bytes) = try await fixture.read("data.bin", range: header)
            #expect(read.range == expected)
            #expect(read.info.size == 1000)
            #expect(bytes == Array(content[expected]))
        }

        @Test(arguments: ["bytes=1000-", "bytes=1000-1200", "bytes=-0", "bytes=5000-6000"])
        func unsatisfiableRangesAreInvalidRange(header: String) async throws {
            let fixture = try StoreFixture()
            try await fixture.put("data.bin", randomBytes(1000))
            await expectError(.invalidRange()) { _ = try await fixture.read("data.bin", range: header) }
        }

        @Test func aRangeOfAnEmptyObjectIsInvalidRange() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("empty", [])
            await expectError(.invalidRange()) { _ = try await fixture.read("empty", range: "bytes=0-") }
        }

        @Test func overwriteReplacesBytesAndMetadata() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("k", Array("first".utf8), options: PutOptions(userMetadata: ["v": "1"]))
            let second = try await fixture.put(
                "k", Array("second!".utf8), options: PutOptions(contentType: "text/plain"))
            let (read, bytes) = try await fixture.read("k")
            #expect(bytes == Array("second!".utf8))
            #expect(read.info.etag == "\"\(hex(md5(Array("second!".utf8))))\"")
            #expect(read.info.userMetadata.isEmpty)
            #expect(read.info.contentType == "text/plain")
            #expect(read.info == second)
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
        }

        @Test func aFailingBodyStoresNothingAndLeavesTheOldObject() async throws {
            let fixture = try StoreFixture()
            let original = try await fixture.put("k", Array("original".utf8))
            let failing = ObjectBody(
                ScriptedBody(buffers: [ByteBuffer(bytes: randomBytes(300_000))], failure: ClientWentAway())
            )
            await #expect(throws: ClientWentAway.self) {
                try await fixture.store.put(bucket: "bucket", key: "k", body: failing, options: PutOptions())
            }
            let (read, bytes) = try await fixture.read("k")
            #expect(bytes == Array("original".utf8))
            #expect(read.info == original)

            let failingNew = ObjectBody(ScriptedBody(buffers: [ByteBuffer(bytes: [1, 2])], failure: ClientWentAway()))
            await #expect(throws: ClientWentAway.self) {
                try await fixture.store.put(bucket: "bucket", key: "new/k", body: failingNew, options: PutOptions())
            }
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "new/k") }
            #expect(!fixture.exists("bucket/new"))
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
        }

        @Test func aWrongContentMD5IsBadDigestAndStoresNothing() async throws {
            let fixture = try StoreFixture()
            let content = Array("payload".utf8)
            await expectError(.badDigest()) {
                try await fixture.put("k", content, options: PutOptions(contentMD5: md5(Array("other".utf8))))
            }
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "k") }
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
            #expect(try fixture.files(under: ".refract/meta").isEmpty)

            let stored = try await fixture.put("k", content, options: PutOptions(contentMD5: md5(content)))
            #expect(stored.etag == "\"\(hex(md5(content)))\"")
        }

        @Test func deleteRemovesFileSidecarAndEmptyFolders() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("a/b/c/d.txt", [1])
            try await fixture.put("a/x.txt", [2])
            #expect(try fixture.files(under: ".refract/meta").count == 2)

            try await fixture.store.delete(bucket: "bucket", key: "a/b/c/d.txt")
            #expect(!fixture.exists("bucket/a/b"))
            #expect(fixture.exists("bucket/a/x.txt"))
            #expect(try fixture.files(under: ".refract/meta").count == 1)
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "a/b/c/d.txt") }

            try await fixture.store.delete(bucket: "bucket", key: "a/x.txt")
            #expect(!fixture.exists("bucket/a"))
            #expect(fixture.exists("bucket"))
            #expect(try fixture.files(under: ".refract/meta").isEmpty)

            // Deleting what is not there succeeds, as in S3; so does deleting a folder's name, which is no object.
            try await fixture.store.delete(bucket: "bucket", key: "never/was")
            try fixture.writeByHand("bucket/folder/kept.txt", [3])
            try await fixture.store.delete(bucket: "bucket", key: "folder")
            #expect(fixture.exists("bucket/folder/kept.txt"))
        }

        static let otherFilesystem = "/dev/shm"

        static func isOnAnotherFilesystem(_ path: String) -> Bool {
            let temporary = try? FileManager.default.attributesOfItem(atPath: NSTemporaryDirectory())
            let other = try? FileManager.default.attributesOfItem(atPath: path)
            guard let other, let temporary else { return false }
            return other[.systemNumber] as? Int != temporary[.systemNumber] as? Int
        }

        @Test(.enabled(if: isOnAnotherFilesystem(otherFilesystem), "needs /dev/shm on another filesystem than /tmp"))
        func aBucketOnAnotherFilesystemStagesWritesInItsOwnFolder() async throws {
            let fixture = try StoreFixture()
            let folder = Self.otherFilesystem + "/refract-fs-test-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.createSymbolicLink(atPath: fixture.root + "/mounted", withDestinationPath: folder)

            let stored = try await fixture.put("a/b.txt", Array("elsewhere".utf8), bucket: "mounted")
            #expect(try await fixture.read("a/b.txt", bucket: "mounted").1 == Array("elsewhere".utf8))
            #expect(try await fixture.store.head(bucket: "mounted", key: "a/b.txt") == stored)
            #expect(FileManager.default.fileExists(atPath: folder + "/.refract-tmp"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/.refract-tmp").isEmpty)
            let page = try await fixture.store.list(bucket: "mounted", query: ListQuery())
            #expect(page.objects.map(\.key) == ["a/b.txt"])
        }

        @Test func bucketsAreTheRootsFolders() async throws {
            let fixture = try StoreFixture()
            for folder in ["photos", "docs.v2", "Bad_Name", ".hidden", "ab", "192.168.1.1"] {
                try FileManager.default.createDirectory(
                    atPath: fixture.root + "/" + folder, withIntermediateDirectories: true)
            }
            try fixture.writeByHand("file.txt", [1])
            try FileManager.default.createSymbolicLink(atPath: fixture.root + "/linked", withDestinationPath: "photos")
            #expect(try fixture.store.bucketNames() == ["bucket", "docs.v2", "linked", "photos"])

            try await fixture.store.checkBucket("photos")
            try await fixture.store.checkBucket("linked")
            for name in ["missing", ".refract", ".hidden", "..", ".", "", "file.txt", "photos/..", "a\u{0}b"] {
                await expectError(.noSuchBucket()) { try await fixture.store.checkBucket(name) }
            }
            await expectError(.noSuchBucket()) { _ = try await fixture.store.head(bucket: "missing", key: "k") }
            await expectError(.noSuchBucket()) { try await fixture.put("k", [1], bucket: "missing") }
        }

        @Test func readinessNeedsAReadableRoot() async throws {
            let fixture = try StoreFixture()
            try await fixture.store.checkReady()
            let missing = FilesystemStore(root: fixture.root + "/nowhere", logger: Logger(label: "test"))
            await expectError(.serviceUnavailable()) { try await missing.checkReady() }
            #expect(throws: RefractError.self) { try missing.bucketNames() }
        }

        @Test func aRelativeRootIsTakenFromTheCurrentDirectory() {
            let store = FilesystemStore(root: "./storage", logger: Logger(label: "test"))
            #expect(store.root == FileManager.default.currentDirectoryPath + "/storage")
            #expect(store.kind == "filesystem")
        }
    }
}
