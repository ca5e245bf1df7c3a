import Foundation
import NIOCore
import RefractCore
import RefractStorage
import Testing

extension FilesystemStoreTests {
    @Suite struct Streaming {
        /// How many of the process's file descriptors are open on `path`.
        static func openDescriptors(on path: String) throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { descriptor in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + descriptor)) == path
            }.count
        }

        /// Waits for a descriptor released by a thread-pool job to be closed, up to a second.
        static func expectClosed(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            for _ in 0..<100 where try openDescriptors(on: path) > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try openDescriptors(on: path) == 0, sourceLocation: sourceLocation)
        }

        /// The process's resident memory (`VmRSS`) or its peak since the last reset (`VmHWM`), from /proc/self/status.
        static func residentBytes(_ field: String = "VmRSS") throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(field + ":") })
            let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
            return kilobytes * 1024
        }

        /// Starts measuring the peak resident memory afresh (Linux's `clear_refs`, value 5).
        static func resetPeakResidentBytes() throws {
            try Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
        }

        @Test func theFileIsClosedAfterAFullRead() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("file.bin", randomBytes(600_000))
            let path = fixture.root + "/bucket/file.bin"
            let read = try await fixture.store.get(bucket: "bucket", key: "file.bin", range: nil)
            #expect(try Self.openDescriptors(on: path) == 1)
            var sizes: [Int] = []
            for try await buffer in read.body { sizes.append(buffer.readableBytes) }
            #expect(sizes == [262_144, 262_144, 75_712])
            #expect(try Self.openDescriptors(on: path) == 0)
        }

        @Test func theFileIsClosedWhenTheReaderGoesAway() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("file.bin", randomBytes(1_000_000))
            let path = fixture.root + "/bucket/file.bin"
            let read = try await fixture.store.get(bucket: "bucket", key: "file.bin", range: nil)
            do {
                var iterator = read.body.makeAsyncIterator()
                #expect(try await iterator.next()?.readableBytes == 262_144)
                #expect(try Self.openDescriptors(on: path) == 1)
            }
            // The iterator is gone, though the body is still held (as a response may hold it a while).
            try await Self.expectClosed(path)
            withExtendedLifetime(read) {}
        }

        @Test func theFileIsClosedWhenTheBodyIsNeverRead() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("file.bin", randomBytes(1000))
            let path = fixture.root + "/bucket/file.bin"
            do {
                let read = try await fixture.store.get(bucket: "bucket", key: "file.bin", range: nil)
                #expect(read.info.size == 1000)
                #expect(try Self.openDescriptors(on: path) == 1)
            }
            try await Self.expectClosed(path)
        }

        @Test func theFileIsClosedWhenAReadFails() async throws {
            let fixture = try StoreFixture()
            try await fixture.put("file.bin", randomBytes(1_000_000))
            let path = fixture.root + "/bucket/file.bin"
            let read = try await fixture.store.get(bucket: "bucket", key: "file.bin", range: nil)
            var iterator = read.body.makeAsyncIterator()
            #expect(try await iterator.next()?.readableBytes == 262_144)
            // Cut short behind the reader's back: the body fails rather than end early as if complete.
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: 300_000)
            try handle.close()
            await expectError(.internalError()) {
                while try await iterator.next() != nil {}
            }
            #expect(try Self.openDescriptors(on: path) == 0)
        }

        @Test func aRangedReadIsClosedAtItsEnd() async throws {
            let fixture = try StoreFixture()
            let content = randomBytes(600_000)
            try await fixture.put("file.bin", content)
            let path = fixture.root + "/bucket/file.bin"
            let read = try await fixture.store.get(
                bucket: "bucket",
                key: "file.bin",
                range: ByteRange(header: "bytes=100000-399999")
            )
            var bytes: [UInt8] = []
            for try await buffer in read.body { bytes += buffer.readableBytesView }
            #expect(bytes == Array(content[100_000..<400_000]))
            #expect(try Self.openDescriptors(on: path) == 0)
        }

        @Test func aLargeFileStreamsInFlatMemory() async throws {
            let fixture = try StoreFixture()
            let size = 200 * 1024 * 1024
            let path = fixture.root + "/bucket/large.bin"
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()

            try Self.resetPeakResidentBytes()
            let before = try Self.residentBytes()
            var total = 0
            let read = try await fixture.store.get(bucket: "bucket", key: "large.bin", range: nil)
            for try await buffer in read.body { total += buffer.readableBytes }
            let peak = try Self.residentBytes("VmHWM")
            #expect(total == size)
            #expect(peak - before < 32 * 1024 * 1024, "resident memory grew by \(peak - before) bytes")
        }

        @Test func aLargeBodyIsStoredInFlatMemory() async throws {
            let fixture = try StoreFixture()
            let size = 200 * 1024 * 1024
            try Self.resetPeakResidentBytes()
            let before = try Self.residentBytes()
            let stored = try await fixture.store.put(
                bucket: "bucket",
                key: "large.bin",
                body: ObjectBody(GeneratedBody(count: size)),
                options: PutOptions()
            )
            let peak = try Self.residentBytes("VmHWM")
            #expect(stored.size == size)
            #expect(peak - before < 32 * 1024 * 1024, "resident memory grew by \(peak - before) bytes")
            let attributes = try FileManager.default.attributesOfItem(atPath: fixture.root + "/bucket/large.bin")
            #expect(attributes[.size] as? Int == size)
        }
    }
}
