import Foundation
import NIOCore
import RefractCore
import RefractImage
import Testing

/// `strip` drops metadata as the bytes stream: exiftool finds none in the output, the pixels are the input's, any
/// split of the input into buffers gives the same output, and memory stays flat however large the image.
@Suite struct MetadataStripperTests {
    /// A body made of the given buffers.
    struct Buffers: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let buffers: [ByteBuffer]

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffers: buffers) }

        struct AsyncIterator: AsyncIteratorProtocol {
            let buffers: [ByteBuffer]
            var index = 0

            mutating func next() async -> ByteBuffer? {
                guard index < buffers.count else { return nil }
                defer { index += 1 }
                return buffers[index]
            }
        }
    }

    /// `bytes` stripped, fed in buffers of the sizes `nextSize` picks.
    static func strip(
        _ bytes: [UInt8],
        keepsICCProfile: Bool = true,
        nextSize: () -> Int = { 1 << 16 }
    ) async throws -> [UInt8] {
        var buffers: [ByteBuffer] = []
        var offset = 0
        while offset < bytes.count {
            let size = min(max(1, nextSize()), bytes.count - offset)
            buffers.append(ByteBuffer(bytes: bytes[offset..<(offset + size)]))
            offset += size
        }
        let body = MetadataStripper(keepsICCProfile: keepsICCProfile).strip(ObjectBody(Buffers(buffers: buffers)))
        var output: [UInt8] = []
        for try await buffer in body { output += buffer.readableBytesView }
        return output
    }

    /// A minimal valid ICC profile: a header and one tag (the media white point).
    static let iccProfile: [UInt8] = {
        var bytes = [UInt8](repeating: 0, count: 164)
        func put(_ value: UInt32, at offset: Int) {
            for index in 0..<4 { bytes[offset + index] = UInt8(value >> (24 - 8 * index) & 0xFF) }
        }
        func put(_ text: String, at offset: Int) { bytes.replaceSubrange(offset..<(offset + 4), with: text.utf8) }
        put(164, at: 0)
        put(0x0210_0000, at: 8)
        put("mntr", at: 12)
        put("RGB ", at: 16)
        put("XYZ ", at: 20)
        put("acsp", at: 36)
        put(0x0000_F6D6, at: 68)
        put(0x0001_0000, at: 72)
        put(0x0000_D32D, at: 76)
        put(1, at: 128)
        put("wtpt", at: 132)
        put(144, at: 136)
        put(20, at: 140)
        put("XYZ ", at: 144)
        put(0x0000_F351, at: 152)
        put(0x0001_0000, at: 156)
        put(0x0001_16CC, at: 160)
        return bytes
    }()

    /// An image with every kind of metadata `strip` drops, and an ICC profile.
    static func fixture(_ fileExtension: String, in directory: URL) async throws -> URL {
        let profile = directory.appendingPathComponent("profile.icc")
        try Data(iccProfile).write(to: profile)
        let file = try await MetadataTool.makeImage(named: "metadata.\(fileExtension)", in: directory)
        try await MetadataTool.writeTags(
            ExifFixtureFiles.tags + [
                "-ICC_Profile<=\(profile.path)", "-XMP-dc:Title=Secret title", "-XMP-dc:Creator=Someone",
                "-IPTC:Keywords=secret", "-IPTC:City=Paris", "-Comment=a comment",
                "-PNG:ModifyDate=2024:01:01 00:00:00", "-PNG:Author=author",
            ], to: file)
        // exiftool compresses the text it writes into zTXt chunks with -z.
        if fileExtension == "png" { try await MetadataTool.writeTags(["-z", "-PNG:Copyright=mine"], to: file) }
        return file
    }

    /// exiftool's groups (family 0) and tag names for `file`.
    static func exiftoolTags(_ file: URL) async throws -> [String] {
        let json = try await MetadataTool.run(MetadataTool.exiftool, ["-json", "-G0", "-a", file.path])
        let objects = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        return try #require(objects?.first).keys.sorted()
    }

    @Test(arguments: ["jpg", "png"], [true, false])
    func exiftoolFindsNoMetadataAndThePixelsAreUntouched(fileExtension: String, keepsICCProfile: Bool) async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try await Self.fixture(fileExtension, in: directory)
        let before = try await Self.exiftoolTags(input)
        for group in ["EXIF:", "XMP:", "ICC_Profile:", "EXIF:GPSLatitude"] {
            #expect(before.contains { $0.hasPrefix(group) }, "the fixture lacks \(group)")
        }
        #expect(before.contains { $0.hasPrefix(fileExtension == "jpg" ? "IPTC:" : "PNG:Author") })

        let stripped = try await Self.strip([UInt8](try Data(contentsOf: input)), keepsICCProfile: keepsICCProfile)
        let output = directory.appendingPathComponent("stripped.\(fileExtension)")
        try Data(stripped).write(to: output)
        let after = try await Self.exiftoolTags(output)
        let forbidden = [
            "EXIF:", "XMP:", "IPTC:", "Photoshop:", "File:Comment", "PNG:ModifyDate", "PNG:Author",
            "PNG:Copyright", "PNG:Make", "PNG:Datecreate", "Composite:GPS",
        ]
        for prefix in forbidden {
            #expect(!after.contains { $0.hasPrefix(prefix) }, "\(prefix) left: \(after)")
        }
        #expect(!after.contains { $0.contains("GPS") })
        #expect(after.contains { $0.hasPrefix("ICC_Profile:") } == keepsICCProfile)
        #expect(!after.contains("ExifTool:Warning"), "\(after)")
        #expect(try await MetadataTool.differingPixels(input, output) == "0")
        #expect(stripped.count < (try Data(contentsOf: input)).count)
    }

    @Test(arguments: ["jpg", "png"])
    func anySplitIntoBuffersGivesTheSameOutput(fileExtension: String) async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = [UInt8](try Data(contentsOf: try await Self.fixture(fileExtension, in: directory)))
        let whole = try await Self.strip(input, nextSize: { Int.max })
        #expect(try await Self.strip(input, nextSize: { 1 }) == whole)
        var random = SeededRandom(seed: 0x57A1_9000)
        for _ in 0..<50 {
            #expect(try await Self.strip(input, nextSize: { Int.random(in: 1...40, using: &random) }) == whole)
        }
    }

    @Test func damagedImagesNeverCrashAndAnySplitStillAgrees() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRandom(seed: 0x57A1_9001)
        for fileExtension in ["jpg", "png"] {
            let input = [UInt8](try Data(contentsOf: try await Self.fixture(fileExtension, in: directory)))
            for _ in 0..<300 {
                var mutant = Array(input.prefix(Int.random(in: 1...input.count, using: &random)))
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    mutant[Int.random(in: 0..<mutant.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                let whole = try? await Self.strip(mutant, nextSize: { Int.max })
                let split = try? await Self.strip(mutant, nextSize: { Int.random(in: 1...9, using: &random) })
                #expect(whole == split)
                if let whole { #expect(whole.count <= mutant.count) }
            }
        }
    }

    @Test func anImageWithoutMetadataPassesByteForByte() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["plain.jpg", "progressive.jpg", "plain.png"] {
            let arguments = ["-strip"] + (name.hasPrefix("progressive") ? ["-interlace", "Plane"] : [])
            let file = try await MetadataTool.makeImage(named: name, in: directory, extraArguments: arguments)
            let input = [UInt8](try Data(contentsOf: file))
            #expect(try await Self.strip(input, nextSize: { 7 }) == input, "\(name)")
        }
    }

    @Test func segmentsBetweenProgressiveScansAndTrailersAreDropped() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try await MetadataTool.makeImage(
            named: "progressive.jpg", in: directory, extraArguments: ["-strip", "-interlace", "Plane"])
        let original = [UInt8](try Data(contentsOf: file))
        // A comment and an APP1 before the second scan, and a second image (with EXIF) after EOI, as MPO files have.
        let scans = original.indices.filter {
            original[$0] == 0xFF && $0 + 1 < original.count && original[$0 + 1] == 0xDA
        }
        #expect(scans.count > 1)
        let comment: [UInt8] = [0xFF, 0xFE, 0x00, 0x07] + Array("hello".utf8)
        let app1: [UInt8] = [0xFF, 0xE1, 0x00, 0x08] + Array("Exif\0\0".utf8)
        var input = original
        input.insert(contentsOf: comment + app1, at: scans[1])
        let trailerFixture = try await ExifFixtureFiles.make(in: directory)["jpg"]!
        input += [UInt8](try Data(contentsOf: trailerFixture))

        let stripped = try await Self.strip(input, nextSize: { 3 })
        #expect(stripped == original)
    }

    @Test func otherBytesAreRefused() async throws {
        for input: [UInt8] in [
            Array("GIF89a......".utf8), [0xFF], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x00], [],
        ] {
            await #expect(throws: RefractError.self, "\(input)") { try await Self.strip(input, nextSize: { 1 }) }
        }
    }

    /// A PNG of any size, generated as it is read: a text chunk, one huge IDAT chunk, IEND.
    struct GeneratedPNG: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let imageDataBytes: Int
        static let textChunk: [UInt8] = [0, 0, 0, 5] + Array("tEXtA\0bcd".utf8) + [9, 9, 9, 9]

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: imageDataBytes) }

        struct AsyncIterator: AsyncIteratorProtocol {
            var remaining: Int
            var hasStarted = false
            var hasEnded = false
            let block = ByteBuffer(repeating: 0x5A, count: 1 << 16)

            mutating func next() async -> ByteBuffer? {
                if !hasStarted {
                    hasStarted = true
                    let header: [UInt8] =
                        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
                        + [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 1, 2, 3, 4]
                    let length = UInt32(remaining)
                    let idat = (0..<4).map { UInt8(length >> (24 - 8 * $0) & 0xFF) } + Array("IDAT".utf8)
                    return ByteBuffer(bytes: header + GeneratedPNG.textChunk + idat)
                }
                if remaining > 0 {
                    let count = Swift.min(remaining, block.readableBytes)
                    remaining -= count
                    return block.getSlice(at: 0, length: count)
                }
                guard !hasEnded else { return nil }
                hasEnded = true
                return ByteBuffer(bytes: [1, 2, 3, 4, 0, 0, 0, 0] + Array("IEND".utf8) + [5, 6, 7, 8])
            }
        }
    }

    #if os(Linux)
    /// The resident memory of this process, from /proc.
    static func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Int(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes * 1024
    }

    @Test func aLargePNGPassesInFlatMemory() async throws {
        let imageDataBytes = 200 << 20
        let body = MetadataStripper().strip(ObjectBody(GeneratedPNG(imageDataBytes: imageDataBytes)))
        let baseline = try Self.residentBytes()
        var peak = baseline
        var total = 0
        var buffers = 0
        for try await buffer in body {
            total += buffer.readableBytes
            buffers += 1
            if buffers.isMultiple(of: 256) { peak = max(peak, try Self.residentBytes()) }
        }
        // Signature and IHDR (33), the IDAT header, data and CRC, IEND (12); the text chunk is gone.
        #expect(total == 33 + 8 + imageDataBytes + 4 + 12)
        #expect(peak - baseline < 32 << 20, "resident memory grew by \(peak - baseline) bytes")
    }
    #endif
}
