import Foundation
import RefractCore
import RefractStorage
import Testing

extension FilesystemStoreTests {
    @Suite struct Listing {
        /// ListObjectsV2 worked out the obvious way, over every key sorted: what the store's walk must agree with.
        struct Model {
            let keys: [String]

            init(keys: [String]) {
                self.keys = keys.sorted(by: utf8Precedes)
            }

            /// Every entry of the listing after `startAfter`, keys and common prefixes in order, unpaged.
            func entries(prefix: String, delimiter: String?, startAfter: String?) -> [String] {
                var entries: [String] = []
                for key in keys {
                    guard key.utf8.starts(with: prefix.utf8) else { continue }
                    if let startAfter, !utf8Precedes(startAfter, key) { continue }
                    guard let commonPrefix = commonPrefix(of: key, prefix: prefix, delimiter: delimiter) else {
                        entries.append(key)
                        continue
                    }
                    if let startAfter, !utf8Precedes(startAfter, commonPrefix) { continue }
                    if let last = entries.last, last.utf8.elementsEqual(commonPrefix.utf8) { continue }
                    entries.append(commonPrefix)
                }
                return entries
            }

            private func commonPrefix(of key: String, prefix: String, delimiter: String?) -> String? {
                guard let delimiter, !delimiter.isEmpty else { return nil }
                let bytes = Array(key.utf8)
                let needle = Array(delimiter.utf8)
                var start = prefix.utf8.count
                while start + needle.count <= bytes.count {
                    if Array(bytes[start..<(start + needle.count)]) == needle {
                        return String(decoding: bytes[..<(start + needle.count)], as: UTF8.self)
                    }
                    start += 1
                }
                return nil
            }
        }

        /// The page's keys and common prefixes, merged back into listing order.
        static func entries(of page: ListPage) -> [String] {
            (page.objects.map(\.key) + page.commonPrefixes).sorted(by: utf8Precedes)
        }

        @Test func keysComeInUTF8BinaryOrderNotFolderByFolder() async throws {
            let fixture = try StoreFixture()
            let keys = [
                "a-b", "a/c", "a0", "a.txt", "Z", "b", "\u{e9}", "e\u{301}", "ü/x", "日本/語.txt", "~tilde", "a/c-d/e",
                "a/c.d", "A/b",
            ]
            for key in keys { try await fixture.put(key, [1]) }
            let page = try await fixture.store.list(bucket: "bucket", query: ListQuery())
            #expect(page.objects.map { Array($0.key.utf8) } == keys.sorted(by: utf8Precedes).map { Array($0.utf8) })
            // The folder "a" holds "a/c", which sorts after "a-b" and "a.txt" although "a" sorts before them.
            #expect(Array(page.objects.map(\.key).prefix(6)) == ["A/b", "Z", "a-b", "a.txt", "a/c", "a/c-d/e"])
            #expect(!page.isTruncated)
            #expect(page.nextStartAfter == nil)
        }

        @Test func listedObjectsCarryTheirMetadata() async throws {
            let fixture = try StoreFixture()
            let stored = try await fixture.put("x/y.bin", randomBytes(1234), options: PutOptions(contentType: "a/b"))
            try fixture.writeByHand("bucket/x/z.jpg", [1, 2, 3])
            let page = try await fixture.store.list(bucket: "bucket", query: ListQuery())
            #expect(page.objects.count == 2)
            #expect(page.objects[0] == stored)
            #expect(page.objects[1] == (try await fixture.store.head(bucket: "bucket", key: "x/z.jpg")))
            #expect(page.objects[1].contentType == "image/jpeg")
        }

        @Test func aDelimiterRollsKeysUpIntoCommonPrefixes() async throws {
            let fixture = try StoreFixture()
            let keys = [
                "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/top.jpg", "photos-old/x",
                "readme",
            ]
            for key in keys { try await fixture.put(key, [1]) }
            func list(_ prefix: String, _ delimiter: String?) async throws -> ListPage {
                try await fixture.store.list(bucket: "bucket", query: ListQuery(prefix: prefix, delimiter: delimiter))
            }

            var page = try await list("", "/")
            #expect(page.commonPrefixes == ["photos-old/", "photos/"])
            #expect(page.objects.map(\.key) == ["readme"])
            page = try await list("photos/", "/")
            #expect(page.commonPrefixes == ["photos/2024/", "photos/2025/"])
            #expect(page.objects.map(\.key) == ["photos/top.jpg"])
            page = try await list("photos", "/")
            #expect(page.commonPrefixes == ["photos-old/", "photos/"])
            #expect(page.objects.isEmpty)
            page = try await list("photos/2024/a", "/")
            #expect(page.objects.map(\.key) == ["photos/2024/a.jpg"])
            #expect(page.commonPrefixes.isEmpty)
            page = try await list("", "-")
            #expect(page.commonPrefixes == ["photos-"])
            #expect(
                page.objects.map(\.key) == [
                    "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme",
                ])
            page = try await list("photos/20", "4/")
            #expect(page.commonPrefixes == ["photos/2024/"])
            #expect(page.objects.map(\.key) == ["photos/2025/c.jpg"])
            page = try await list("nothing/", "/")
            #expect(page.objects.isEmpty && page.commonPrefixes.isEmpty && !page.isTruncated)
        }

        @Test func emptyFoldersAndStagingFilesAreNotListed() async throws {
            let fixture = try StoreFixture()
            try FileManager.default.createDirectory(
                atPath: fixture.root + "/bucket/empty/deeper",
                withIntermediateDirectories: true
            )
            try fixture.writeByHand("bucket/.refract-tmp/staged.tmp", [1])
            try fixture.writeByHand("bucket/kept.txt", [1])
            let page = try await fixture.store.list(bucket: "bucket", query: ListQuery(delimiter: "/"))
            #expect(page.commonPrefixes.isEmpty)
            #expect(page.objects.map(\.key) == ["kept.txt"])
            let all = try await fixture.store.list(bucket: "bucket", query: ListQuery(prefix: ".refract-tmp/"))
            #expect(all.objects.isEmpty)
        }

        @Test func zeroMaxKeysIsAnEmptyCompletePage() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("a", [1])
            let page = try await fixture.store.list(bucket: "bucket", query: ListQuery(maxKeys: 0))
            #expect(page == ListPage(objects: [], commonPrefixes: [], isTruncated: false, nextStartAfter: nil))
        }

        @Test func commonPrefixesCountTowardMaxKeysAndPagesResumeAfterThem() async throws {
            let fixture = try StoreFixture()
            for key in ["a/1", "a/2", "b", "c/1", "c/2/3", "d"] { try await fixture.put(key, [1]) }
            var seen: [String] = []
            var startAfter: String?
            var pages = 0
            repeat {
                let page = try await fixture.store.list(
                    bucket: "bucket",
                    query: ListQuery(delimiter: "/", maxKeys: 1, startAfter: startAfter)
                )
                #expect(page.objects.count + page.commonPrefixes.count == 1)
                seen += Self.entries(of: page)
                #expect(page.isTruncated == (seen.count < 4))
                startAfter = page.nextStartAfter
                pages += 1
                if page.isTruncated { #expect(startAfter == seen.last) }
            } while startAfter != nil && pages < 10
            #expect(seen == ["a/", "b", "c/", "d"])
        }

        @Test func paginationAgreesWithASortedModel() async throws {
            let fixture = try StoreFixture()
            var generator = SplitMix64(seed: 7)
            let names = ["a", "a-b", "a.b", "a0", "b", "é", "e\u{301}", "z~", "_", "A", "a b", "x"]
            var keys: [String] = []
            var folders = Set<[UInt8]>()
            var files = Set<[UInt8]>()
            while keys.count < 300 {
                let depth = Int.random(in: 1...3, using: &generator)
                let segments = (0..<depth).map { _ in names.randomElement(using: &generator)! }
                let key = segments.joined(separator: "/")
                let folderPaths = (1..<depth).map { Array(segments[..<$0].joined(separator: "/").utf8) }
                // A filesystem cannot hold both the file `a` and the folder `a`.
                guard !files.contains(Array(key.utf8)), !folders.contains(Array(key.utf8)),
                    folderPaths.allSatisfy({ !files.contains($0) })
                else { continue }
                files.insert(Array(key.utf8))
                folders.formUnion(folderPaths)
                keys.append(key)
            }
            for key in keys { try fixture.writeByHand("bucket/" + key, [1]) }
            let model = Model(keys: keys)

            let queries: [(prefix: String, delimiter: String?, maxKeys: Int)] = [
                ("", nil, 7), ("", "/", 3), ("a", "/", 5), ("a/", nil, 11), ("a/", "/", 2), ("é", "/", 4),
                ("", "-", 9), ("", "a", 6), ("a-b/", "/", 1), ("", ".", 50), ("e", "/", 3), ("", nil, 1000),
            ]
            for query in queries {
                let expected = model.entries(prefix: query.prefix, delimiter: query.delimiter, startAfter: nil)
                var listed: [String] = []
                var startAfter: String?
                for _ in 0...(expected.count + 1) {
                    let page = try await fixture.store.list(
                        bucket: "bucket",
                        query: ListQuery(
                            prefix: query.prefix,
                            delimiter: query.delimiter,
                            maxKeys: query.maxKeys,
                            startAfter: startAfter
                        )
                    )
                    let entries = Self.entries(of: page)
                    let modelPage = model.entries(
                        prefix: query.prefix, delimiter: query.delimiter, startAfter: startAfter)
                    #expect(entries.map { Array($0.utf8) } == modelPage.prefix(query.maxKeys).map { Array($0.utf8) })
                    #expect(page.isTruncated == (modelPage.count > query.maxKeys))
                    listed += entries
                    guard page.isTruncated else { break }
                    startAfter = page.nextStartAfter
                }
                #expect(listed.map { Array($0.utf8) } == expected.map { Array($0.utf8) }, "query \(query)")
            }

            // Arbitrary start-after values, keys or not.
            for startAfter in ["", "a", "a-", "a/", "a/b", "a0/zz", "é/", "e", "\u{10FFFF}"] + keys.prefix(20) {
                for delimiter in [nil, "/"] as [String?] {
                    let page = try await fixture.store.list(
                        bucket: "bucket",
                        query: ListQuery(delimiter: delimiter, maxKeys: 25, startAfter: startAfter)
                    )
                    let modelPage = model.entries(prefix: "", delimiter: delimiter, startAfter: startAfter)
                    #expect(
                        Self.entries(of: page).map { Array($0.utf8) } == modelPage.prefix(25).map { Array($0.utf8) },
                        "start after \(startAfter), delimiter \(delimiter ?? "none")"
                    )
                }
            }
        }
    }

    /// A seeded generator, so that a failing listing can be reproduced.
    struct SplitMix64: RandomNumberGenerator {
        private var state: UInt64

        init(seed: UInt64) {
            state = seed
        }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }
}
