import Foundation
import RefractCore
import RefractImage
import Testing

/// The reader works from the head of an object and asks for exactly the bytes it is missing.
@Suite struct ExifReaderRangeTests {
    /// What a caller does: read `head` bytes, then each range asked for (at least `readAhead` bytes of it), until the
    /// reader completes; returns the data, the ranges asked for and the bytes read.
    static func readAsCaller(
        _ object: [UInt8],
        head: Int,
        readAhead: Int = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (data: ExifData, requests: [Range<Int>], bytesRead: Int) {
        var reader = ExifReader(objectLength: object.count)
        var supplied = IndexSet(integersIn: 0..<min(head, object.count))
        reader.supply(Array(object.prefix(head)), at: 0)
        var requests: [Range<Int>] = []
        var bytesRead = min(head, object.count)
        for _ in 0..<64 {
            switch try reader.read() {
            case .complete(let data):
                return (data, requests, bytesRead)
            case .needsBytes(let ranges):
                #expect(!ranges.isEmpty, sourceLocation: sourceLocation)
                #expect(
                    zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound },
                    sourceLocation: sourceLocation)
                for range in ranges {
                    #expect(
                        !range.isEmpty && range.lowerBound >= 0 && range.upperBound <= object.count,
                        sourceLocation: sourceLocation)
                    #expect(
                        !supplied.contains(range.lowerBound), "asked again for \(range)",
                        sourceLocation: sourceLocation)
                    requests.append(range)
                    let read = range.lowerBound..<min(object.count, max(range.upperBound, range.lowerBound + readAhead))
                    reader.supply(Array(object[read]), at: read.lowerBound)
                    bytesRead += IndexSet(integersIn: read).subtracting(supplied).count
                    supplied.insert(integersIn: read)
                }
            }
        }
        Issue.record("the reader kept asking for bytes", sourceLocation: sourceLocation)
        throw Tools.Failure(description: "no completion")
    }

    @Test func anyHeadGivesTheSameDataAsTheWholeFile() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (fileExtension, file) in try await ExifFixtureFiles.make(in: directory) {
            let object = [UInt8](try Data(contentsOf: file))
            let whole = try ExifReader.read(object)
            #expect(whole.gpsPosition != nil, "\(fileExtension)")
            for head in [0, 1, 12, 20, 64, 100, 200, 500, 1000, object.count] {
                for readAhead in [0, 512] {
                    let read = try Self.readAsCaller(object, head: head, readAhead: readAhead)
                    #expect(read.data == whole, "\(fileExtension) from a \(head)-byte head")
                }
            }
        }
    }

    @Test func anExifSegmentRunningPastTheHeadIsAskedForInOneRange() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try await MetadataTool.makeImage(named: "long.jpg", in: directory)
        try await MetadataTool.writeTags(
            ["-Make=Canon", "-UserComment=" + String(repeating: "x", count: 30_000)], to: file)
        let object = [UInt8](try Data(contentsOf: file))
        let app1 = try #require(Self.segments(of: object).first { $0.marker == 0xE1 })

        var reader = ExifReader(objectLength: object.count)
        reader.supply(Array(object.prefix(1000)), at: 0)
        #expect(try reader.read() == .needsBytes([1000..<app1.end]))
        reader.supply(Array(object[1000..<app1.end]), at: 1000)
        // The frame header after the APP1 segment is next, and only its first bytes.
        guard case .needsBytes(let ranges) = try reader.read(), let frame = ranges.first else {
            Issue.record("the frame header lies past the supplied bytes")
            return
        }
        #expect(ranges.count == 1 && frame.lowerBound == app1.end && frame.count <= 16)
        let read = try Self.readAsCaller(object, head: 1000)
        #expect(read.data.header.width == 64)
        #expect(read.data[.exifIFD]?["UserComment"] == .text(String(repeating: "x", count: 30_000)))
        #expect(read.bytesRead < app1.end + 200)
    }

    @Test func largeSegmentsBeforeTheFrameAreSkippedNotRead() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try await MetadataTool.makeImage(named: "padded.jpg", in: directory)
        try await MetadataTool.writeTags(ExifFixtureFiles.tags, to: file)
        var object = [UInt8](try Data(contentsOf: file))
        let app1 = try #require(Self.segments(of: object).first { $0.marker == 0xE1 })
        // Ten 60 KB APP3 segments after the EXIF, as big vendor segments would sit before the frame header.
        let padding = (0..<10).flatMap { _ in [0xFF, 0xE3, 0xEA, 0x62] + [UInt8](repeating: 0x55, count: 60_000) }
        object.insert(contentsOf: padding, at: app1.end)
        let read = try Self.readAsCaller(object, head: 65_536)
        #expect(read.data.header.width == 64 && read.data.header.height == 48)
        #expect(read.data == (try ExifReader.read(object)))
        #expect(read.bytesRead < 65_536 + 200, "\(read.bytesRead) bytes read of \(object.count)")
    }

    @Test func aTIFFWhoseDirectoryFollowsTheImageDataIsReadWhereItPoints() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // libtiff writes the pixels first and the IFD after them.
        let file = directory.appendingPathComponent("large.tif")
        try await MetadataTool.run(MetadataTool.convert, ["-size", "1200x900", "gradient:red-blue", file.path])
        let object = [UInt8](try Data(contentsOf: file))
        #expect(object.count > 6_000_000)
        let read = try Self.readAsCaller(object, head: 256 << 10)
        #expect(read.data.header.width == 1200 && read.data.header.height == 900)
        #expect(read.data == (try ExifReader.read(object)))
        #expect(read.bytesRead < (256 << 10) + 64 << 10, "\(read.bytesRead) bytes read of \(object.count)")
        #expect(read.requests.count <= 8)
    }

    @Test func whatWasSuppliedIsReadWhenNoMoreWillCome() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try await ExifFixtureFiles.make(in: directory)["jpg"]!
        let object = [UInt8](try Data(contentsOf: file))
        let app1 = try #require(Self.segments(of: object).first { $0.marker == 0xE1 })
        var reader = ExifReader(objectLength: object.count)
        reader.supply(Array(object.prefix(40)), at: 0)
        guard case .needsBytes = try reader.read() else {
            Issue.record("40 bytes cannot hold the EXIF of the fixture")
            return
        }
        #expect { try reader.readSupplied() } throws: { ($0 as? RefractError)?.s3Code == "UnprocessableSource" }
        // The EXIF segment without the frame header after it: the tags, and no size.
        reader.supply(Array(object[40..<app1.end]), at: 40)
        let partial = try reader.readSupplied()
        #expect(partial.header.width == nil)
        #expect(partial.directories == (try ExifReader.read(object)).directories)
        reader.supply(object, at: 0)
        #expect(try reader.readSupplied() == (try ExifReader.read(object)))
        #expect(reader.suppliedByteCount == object.count)
    }

    /// The marker segments of a JPEG up to its first scan.
    static func segments(of jpeg: [UInt8]) -> [(marker: UInt8, start: Int, end: Int)] {
        var segments: [(marker: UInt8, start: Int, end: Int)] = []
        var position = 2
        while position + 4 <= jpeg.count, jpeg[position] == 0xFF, jpeg[position + 1] != 0xDA {
            let end = position + 2 + (Int(jpeg[position + 2]) << 8 | Int(jpeg[position + 3]))
            segments.append((jpeg[position + 1], position, end))
            position = end
        }
        return segments
    }
}
