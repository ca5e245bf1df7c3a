import Foundation
import RefractCore
import RefractStorage
import Testing

extension FilesystemStoreTests {
    @Suite struct Keys {
        static let refusedKeys: [String] = [
            "",
            "/a",
            "a/",
            "/",
            "a//b",
            ".",
            "..",
            "./a",
            "a/./b",
            "../a",
            "a/..",
            "a/../../etc/passwd",
            // "/" followed by a combining mark is one Character to Swift, but still a separator to the filesystem.
            "x/../\u{301}y",
            "a\u{0}b",
            String(repeating: "x", count: 256),
            Array(repeating: String(repeating: "y", count: 100), count: 11).joined(separator: "/"),
            ".refract-tmp/x",
        ]

        @Test(arguments: refusedKeys)
        func keysThatCannotBeStoredAreInvalidArguments(key: String) async throws {
            let fixture = try StoreFixture()
            await expectError(.invalidArgument("")) { try await fixture.put(key, [1]) }
            await expectError(.invalidArgument("")) { _ = try await fixture.store.head(bucket: "bucket", key: key) }
            await expectError(.invalidArgument("")) { _ = try await fixture.read(key) }
            await expectError(.invalidArgument("")) { try await fixture.store.delete(bucket: "bucket", key: key) }
            await expectError(.invalidArgument("")) {
                _ = try await fixture.store.createMultipartUpload(bucket: "bucket", key: key, options: PutOptions())
            }
            #expect(try fixture.files(under: "").filter { !$0.hasPrefix(".refract/") }.isEmpty)
        }

        static let acceptedKeys: [String] = [
            String(repeating: "x", count: 255),
            // 1024 bytes, the most.
            Array(repeating: String(repeating: "y", count: 101), count: 10).joined(separator: "/") + "/zzzz",
            ".../a",
            "..a/b..",
            ".hidden",
            "a b/c+d=e&f?g#h!i",
            "été/ü.txt",
            "e\u{301}t\u{301}e\u{301}",
            "日本/語.txt",
            "..\u{301}",
            ".refract-tmp-not/x",
            "sub/.refract-tmp/x",
        ]

        @Test(arguments: acceptedKeys)
        func unusualButStorableKeysRoundTrip(key: String) async throws {
            let fixture = try StoreFixture()
            let content = Array(key.utf8)
            try await fixture.put(key, content)
            let (read, bytes) = try await fixture.read(key)
            #expect(bytes == content)
            #expect(read.info.key == key)
            let listed = try await fixture.store.list(bucket: "bucket", query: ListQuery())
            #expect(listed.objects.map { Array($0.key.utf8) } == [Array(key.utf8)])
        }

        @Test func precomposedAndDecomposedKeysAreDifferentObjects() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("\u{e9}", [1])
            try await fixture.put("e\u{301}", [2])
            #expect(try await fixture.read("\u{e9}").1 == [1])
            #expect(try await fixture.read("e\u{301}").1 == [2])
            let keys = try await fixture.store.list(bucket: "bucket", query: ListQuery()).objects.map {
                Array($0.key.utf8)
            }
            #expect(keys == [Array("e\u{301}".utf8), Array("\u{e9}".utf8)])
        }

        @Test func symbolicLinksLeadingOutsideTheBucketAreRefused() async throws {
            let fixture = try StoreFixture()
            let outside = fixture.root + "/../" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: outside) }
            #expect(FileManager.default.createFile(atPath: outside + "/secret.txt", contents: Data("secret".utf8)))
            let bucket = fixture.root + "/bucket"
            try FileManager.default.createSymbolicLink(atPath: bucket + "/link-dir", withDestinationPath: outside)
            try FileManager.default.createSymbolicLink(
                atPath: bucket + "/link-file",
                withDestinationPath: outside + "/secret.txt"
            )
            try FileManager.default.createSymbolicLink(atPath: bucket + "/up", withDestinationPath: "..")
            try fixture.writeByHand("other/peer.txt", Array("another bucket".utf8))

            for key in ["link-dir/secret.txt", "link-file", "up/other/peer.txt"] {
                await expectError(.accessDenied()) { _ = try await fixture.read(key) }
                await expectError(.accessDenied()) { _ = try await fixture.store.head(bucket: "bucket", key: key) }
                await expectError(.accessDenied()) { try await fixture.store.delete(bucket: "bucket", key: key) }
            }
            await expectError(.accessDenied()) { try await fixture.put("link-dir/new.txt", [1]) }
            await expectError(.accessDenied()) { try await fixture.put("link-file", [1]) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret.txt"])
            #expect(try String(contentsOfFile: outside + "/secret.txt", encoding: .utf8) == "secret")
            #expect(fixture.exists("other/peer.txt"))

            let listed = try await fixture.store.list(bucket: "bucket", query: ListQuery())
            #expect(listed.objects.isEmpty)
            #expect(listed.commonPrefixes.isEmpty)
        }

        @Test func symbolicLinksInsideTheBucketAreFollowed() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("real/file.txt", Array("content".utf8))
            let bucket = fixture.root + "/bucket"
            try FileManager.default.createSymbolicLink(
                atPath: bucket + "/alias.txt", withDestinationPath: "real/file.txt")
            try FileManager.default.createSymbolicLink(atPath: bucket + "/alias-dir", withDestinationPath: "real")
            try FileManager.default.createSymbolicLink(atPath: bucket + "/loop", withDestinationPath: ".")

            #expect(try await fixture.read("alias.txt").1 == Array("content".utf8))
            #expect(try await fixture.read("alias-dir/file.txt").1 == Array("content".utf8))
            let keys = try await fixture.store.list(bucket: "bucket", query: ListQuery()).objects.map(\.key)
            #expect(keys == ["alias-dir/file.txt", "alias.txt", "real/file.txt"])

            // Deleting the link removes the link, not its target.
            try await fixture.store.delete(bucket: "bucket", key: "alias.txt")
            #expect(try await fixture.read("real/file.txt").1 == Array("content".utf8))
        }

        @Test func aKeyNamingAFolderIsNoObject() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("folder/inner.txt", [1])
            await expectError(.noSuchKey()) { _ = try await fixture.read("folder") }
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "folder") }
            await expectError(.noSuchKey()) { _ = try await fixture.read("folder/inner.txt/deeper") }
            await expectError(.invalidArgument("")) { try await fixture.put("folder", [2]) }
            await expectError(.invalidArgument("")) { try await fixture.put("folder/inner.txt/deeper", [3]) }
            #expect(try await fixture.read("folder/inner.txt").1 == [1])
            #expect(try fixture.files(under: ".refract/tmp").isEmpty)
        }

        @Test func missingKeysAreNoSuchKey() async throws {
            let fixture = try StoreFixture()
            await expectError(.noSuchKey()) { _ = try await fixture.read("missing") }
            await expectError(.noSuchKey()) { _ = try await fixture.store.head(bucket: "bucket", key: "a/b/c") }
        }
    }
}
