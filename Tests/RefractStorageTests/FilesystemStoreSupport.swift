import Crypto
import Foundation
import Logging
import NIOCore
import RefractCore
import RefractStorage
import Testing

/// The filesystem store's tests, one at a time: some measure the process (its memory, its open files), which tests
/// running beside them would disturb.
@Suite(.serialized)
enum FilesystemStoreTests {}

extension FilesystemStoreTests {
    /// A store over a fresh temporary root holding one empty bucket, `bucket`; the root goes with the fixture.
    final class StoreFixture: Sendable {
        let root: String
        let store: FilesystemStore

        init() throws {
            root = FileManager.default.temporaryDirectory.path + "/refract-fs-test-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: root + "/bucket", withIntermediateDirectories: true)
            store = FilesystemStore(root: root, logger: Logger(label: "test"))
        }

        deinit {
            try? FileManager.default.removeItem(atPath: root)
        }

        /// Writes a file into the root by hand, as a user would, creating its folders.
        func writeByHand(_ relativePath: String, _ bytes: [UInt8]) throws {
            let path = root + "/" + relativePath
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true
            )
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        }

        func exists(_ relativePath: String) -> Bool {
            FileManager.default.fileExists(atPath: root + "/" + relativePath)
        }

        /// The files, at any depth, under a folder of the root; none when it does not exist.
        func files(under relativePath: String) throws -> [String] {
            let path = root + "/" + relativePath
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            return try FileManager.default.subpathsOfDirectory(atPath: path).filter { subpath in
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: path + "/" + subpath, isDirectory: &isFolder)
                    && !isFolder.boolValue
            }
        }

        @discardableResult
        func put(
            _ key: String,
            _ bytes: [UInt8],
            options: PutOptions = PutOptions(),
            bucket: String = "bucket"
        ) async throws -> ObjectInfo {
            try await store.put(bucket: bucket, key: key, body: FilesystemStoreTests.body(bytes), options: options)
        }

        func read(_ key: String, range: String? = nil, bucket: String = "bucket") async throws -> (ObjectRead, [UInt8])
        {
            let read = try await store.get(bucket: bucket, key: key, range: range.flatMap(ByteRange.init(header:)))
            return (read, try await FilesystemStoreTests.collect(read.body))
        }
    }

    /// A body of `bytes`, in buffers of `chunkSize` bytes, the last one shorter.
    static func body(_ bytes: [UInt8], chunkSize: Int = 100_000) -> ObjectBody {
        let buffers = stride(from: 0, to: bytes.count, by: chunkSize).map {
            ByteBuffer(bytes: bytes[$0..<Swift.min($0 + chunkSize, bytes.count)])
        }
        return ObjectBody(ScriptedBody(buffers: buffers, failure: nil))
    }

    static func collect(_ body: ObjectBody) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body { bytes += buffer.readableBytesView }
        return bytes
    }

    /// A body that yields its buffers, then fails if given a failure: a client that goes away mid-upload.
    struct ScriptedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer

        let buffers: [ByteBuffer]
        let failure: (any Error & Sendable)?

        func makeAsyncIterator() -> Iterator { Iterator(buffers: buffers[...], failure: failure) }

        struct Iterator: AsyncIteratorProtocol {
            var buffers: ArraySlice<ByteBuffer>
            var failure: (any Error & Sendable)?

            mutating func next() async throws -> ByteBuffer? {
                if let buffer = buffers.popFirst() { return buffer }
                if let failure {
                    self.failure = nil
                    throw failure
                }
                return nil
            }
        }
    }

    /// A body of `count` bytes made as they are pulled, never all in memory.
    struct GeneratedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer

        let count: Int
        let chunkSize = 64 * 1024

        func makeAsyncIterator() -> Iterator { Iterator(remaining: count, chunkSize: chunkSize) }

        struct Iterator: AsyncIteratorProtocol {
            var remaining: Int
            let chunkSize: Int

            mutating func next() async throws -> ByteBuffer? {
                guard remaining > 0 else { return nil }
                let size = Swift.min(chunkSize, remaining)
                remaining -= size
                return ByteBuffer(repeating: UInt8(truncatingIfNeeded: remaining >> 16), count: size)
            }
        }
    }

    struct ClientWentAway: Error, Equatable {}

    static func md5(_ bytes: [UInt8]) -> [UInt8] {
        Array(Insecure.MD5.hash(data: bytes))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(count + 7) / 8).map { _ in generator.next() }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }

    /// Compares keys as S3 orders them: by their UTF-8 bytes.
    static func utf8Precedes(_ first: String, _ second: String) -> Bool {
        first.utf8.lexicographicallyPrecedes(second.utf8)
    }
}
