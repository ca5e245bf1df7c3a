import Foundation
import Logging
import NIOCore
import RefractCore
import RefractTestSupport
import Testing

@testable import RefractStorage

/// The S3 store against a real S3-compatible server (moto): what the gateway's end-to-end tests cannot reach, such
/// as virtual-hosted addressing and a payload failing its checks at its very end.
@Suite(.serialized)
struct S3StoreTests {
    /// Runs `test` with a fresh moto and a path-style store on it holding bucket `bucket`.
    func withMoto(_ test: (MotoServer, S3Store) async throws -> Void) async throws {
        let moto = try await MotoServer.start()
        let store = try moto.store(pathStyle: true)
        do {
            try await moto.createBucket("bucket", through: store)
            try await test(moto, store)
        } catch {
            try await store.shutdown()
            await moto.stop()
            throw error
        }
        try await store.shutdown()
        await moto.stop()
    }

    static func body(_ text: String) -> ObjectBody {
        ObjectBody(buffer: ByteBuffer(string: text))
    }

    static func text(_ read: ObjectRead) async throws -> String {
        String(buffer: try await read.body.collect(upTo: 1 << 20, tooLarge: .internalError()))
    }

    @Test func virtualHostedAddressingReachesTheSameBucket() async throws {
        try await withMoto { moto, pathStyle in
            let virtual = try moto.store(pathStyle: false, buckets: ["bucket"])
            do {
                let text = "addressed by host name"
                let stored = try await virtual.put(
                    bucket: "bucket", key: "dir/a b.txt", body: Self.body(text),
                    options: PutOptions(contentLength: text.utf8.count))
                // Written by host name, read by path: one bucket.
                let read = try await pathStyle.get(bucket: "bucket", key: "dir/a b.txt", range: nil)
                #expect(try await Self.text(read) == text)
                #expect(read.info.etag == stored.etag)
                let page = try await virtual.list(bucket: "bucket", query: ListQuery(prefix: "dir/"))
                #expect(page.objects.map(\.key) == ["dir/a b.txt"])
                try await virtual.delete(bucket: "bucket", key: "dir/a b.txt")
                await expectError(.noSuchKey()) {
                    _ = try await pathStyle.head(bucket: "bucket", key: "dir/a b.txt")
                }
            } catch {
                try await virtual.shutdown()
                throw error
            }
            try await virtual.shutdown()
        }
    }

    @Test func aPayloadThatFailsAtItsEndIsNeverStored() async throws {
        try await withMoto { _, store in
            let bytes = [UInt8](repeating: 7, count: 300_000)
            let failing = ObjectBody(
                FailingAtEnd(
                    chunks: stride(from: 0, to: bytes.count, by: 65_536).map {
                        ByteBuffer(bytes: bytes[$0..<min($0 + 65_536, bytes.count)])
                    }))
            await expectError(.badDigest()) {
                _ = try await store.put(
                    bucket: "bucket", key: "bad.bin", body: failing, options: PutOptions(contentLength: bytes.count))
            }
            await expectError(.noSuchKey()) {
                _ = try await store.head(bucket: "bucket", key: "bad.bin")
            }
        }
    }

    @Test func conditionsAreAnsweredByTheStoreWithTheEntityTag() async throws {
        try await withMoto { _, store in
            let stored = try await store.put(
                bucket: "bucket", key: "c.txt", body: Self.body("conditional"), options: PutOptions(contentLength: 11))
            let notModified = await #expect(throws: RefractError.self) {
                _ = try await store.get(
                    bucket: "bucket", key: "c.txt", range: nil, conditions: ReadConditions(ifNoneMatch: stored.etag))
            }
            #expect(notModified?.hasSameCode(as: .notModified) == true)
            #expect(notModified?.entityTag == stored.etag)
            await expectError(.preconditionFailed()) {
                _ = try await store.head(
                    bucket: "bucket", key: "c.txt", conditions: ReadConditions(ifMatch: #""not-the-tag""#))
            }
            let range = try await store.get(
                bucket: "bucket", key: "c.txt", range: .closed(2, 5), conditions: ReadConditions(ifMatch: stored.etag))
            #expect(range.range == 2...5)
            #expect(range.info.size == 11)
            #expect(try await Self.text(range) == "ndit")
        }
    }

    @Test func aMissingBucketAndAMissingKeyAreToldApart() async throws {
        try await withMoto { _, store in
            await expectError(.noSuchKey()) {
                _ = try await store.head(bucket: "bucket", key: "absent")
            }
            await expectError(.noSuchBucket()) {
                _ = try await store.head(bucket: "no-such-bucket", key: "absent")
            }
            await expectError(.noSuchBucket()) {
                _ = try await store.get(bucket: "no-such-bucket", key: "absent", range: nil)
            }
            await expectError(.noSuchKey()) {
                _ = try await store.get(bucket: "bucket", key: "absent", range: nil)
            }
        }
    }

    @Test func listingPagesResumePastACommonPrefix() async throws {
        try await withMoto { _, store in
            for key in ["a/1", "a/2", "a/3", "b", "c/1", "d"] {
                _ = try await store.put(
                    bucket: "bucket", key: key, body: Self.body(key), options: PutOptions(contentLength: key.utf8.count)
                )
            }
            var entries: [String] = []
            var startAfter: String?
            for _ in 0..<10 {
                let page = try await store.list(
                    bucket: "bucket", query: ListQuery(delimiter: "/", maxKeys: 1, startAfter: startAfter))
                entries += page.objects.map(\.key) + page.commonPrefixes
                guard page.isTruncated else { break }
                startAfter = page.nextStartAfter
            }
            #expect(entries == ["a/", "b", "c/", "d"])
        }
    }

    @Test func anUnreachableStoreIsUnavailableWithinTheConnectTimeout() async throws {
        let settings = try S3StoreSettings(
            endpoint: "http://127.0.0.1:\(try freeLoopbackPort())",
            region: "us-east-1",
            credentials: SigV4Credentials(accessKeyID: "a", secretAccessKey: "b"),
            pathStyle: true,
            connectTimeout: .seconds(1),
            readTimeout: .seconds(5)
        )
        let store = S3Store(name: "gone", settings: settings, logger: Logger(label: "test"))
        let clock = ContinuousClock()
        let start = clock.now
        await expectError(.serviceUnavailable()) {
            _ = try await store.get(bucket: "bucket", key: "k", range: nil)
        }
        await expectError(.serviceUnavailable()) { try await store.checkReady() }
        #expect(clock.now - start < .seconds(3))
        try await store.shutdown()
    }

    @Test func rangesAndDatesAreReadAsS3WritesThem() {
        #expect(S3Store.contentRange("bytes 0-99/1234")! == (0...99, 1234))
        #expect(S3Store.contentRange("bytes 5-4/10") == nil)
        #expect(S3Store.contentRange("bytes */10") == nil)
        #expect(ByteRange.closed(3, 9).headerValue == "bytes=3-9")
        #expect(ByteRange.from(3).headerValue == "bytes=3-")
        #expect(ByteRange.suffix(length: 4).headerValue == "bytes=-4")
        let date = HTTPDate.parseISO8601("2009-10-12T17:50:30.250Z")
        #expect(date?.timeIntervalSince1970 == 1_255_369_830.25)
        #expect(HTTPDate.parseISO8601("2009-10-12T17:50:30Z")?.timeIntervalSince1970 == 1_255_369_830)
        #expect(HTTPDate.parseISO8601("2009-10-12 17:50:30") == nil)
        let query = ListQuery(prefix: "p/", delimiter: "/")
        #expect(S3Store.resumePoint(after: "p/a/", query: query) == "p/a/\u{10FFFF}")
        #expect(S3Store.resumePoint(after: "p/a", query: query) == "p/a")
        #expect(S3Store.resumePoint(after: "p/a/b/", query: query) == "p/a/b/")
        #expect(S3Store.resumePoint(after: "q/a/", query: query) == "q/a/")
    }
}

/// A body that yields its chunks and then fails, as a payload whose checksum is found wrong at its end does.
private struct FailingAtEnd: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]

    func makeAsyncIterator() -> Iterator { Iterator(remaining: chunks[...]) }

    struct Iterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = remaining.popFirst() else { throw RefractError.badDigest() }
            return chunk
        }
    }
}
