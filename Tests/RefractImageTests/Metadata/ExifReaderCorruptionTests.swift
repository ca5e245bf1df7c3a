import Foundation
import RefractCore
import RefractImage
import Testing

/// Corrupt metadata never crashes the reader nor makes it loop: it returns what it could read, or fails with
/// `UnprocessableSource` when that is nothing.
@Suite struct ExifReaderCorruptionTests {
    /// Reads `object`, expecting data or `UnprocessableSource`, within a time no valid read comes near.
    @discardableResult
    static func readSafely(_ object: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ExifData? {
        let started = ContinuousClock.now
        defer {
            #expect(ContinuousClock.now - started < .seconds(1), "a read took too long", sourceLocation: sourceLocation)
        }
        do {
            let data = try ExifReader.read(object)
            _ = data.json()
            return data
        } catch {
            #expect(error.s3Code == "UnprocessableSource", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func everyTruncationReadsWhatItHolds() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (fileExtension, file) in try await ExifFixtureFiles.make(in: directory) {
            let object = [UInt8](try Data(contentsOf: file))
            let whole = try ExifReader.read(object)
            var readable = 0
            // The TIFF fixture holds 18 KB of pixels; its metadata sits in the first and last few hundred bytes.
            let lengths =
                object.count < 4096
                ? Array(0...object.count) : Array(0...2048) + Array((object.count - 2048)...object.count)
            for length in lengths {
                let prefix = Array(object.prefix(length))
                if let data = Self.readSafely(prefix) {
                    readable += 1
                    #expect(data.header.format == whole.header.format)
                }
                // The same prefix of the whole object: the reader asks for bytes after it, or completes.
                var reader = ExifReader(objectLength: object.count)
                reader.supply(prefix, at: 0)
                if case .needsBytes(let ranges) = try reader.read() {
                    #expect(ranges.allSatisfy { $0.lowerBound >= length && $0.upperBound <= object.count })
                }
            }
            #expect(readable > 0, "\(fileExtension)")
            #expect(Self.readSafely(object) == whole)
        }
    }

    @Test func randomByteFlipsNeverCrash() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRandom(seed: 0xE71F_0004)
        let fixtures = try await ExifFixtureFiles.make(in: directory).sorted { $0.key < $1.key }
        for (_, file) in fixtures {
            let object = [UInt8](try Data(contentsOf: file))
            // Flip bytes where the metadata is: the whole file, except the pixels of the uncompressed TIFF.
            let metadataEnd = min(object.count, 2048)
            for _ in 0..<1500 {
                var mutant = object
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    let index = Int.random(in: 0..<metadataEnd, using: &random)
                    mutant[index] = UInt8.random(in: 0...255, using: &random)
                }
                Self.readSafely(mutant)
            }
        }
    }

    @Test(arguments: [false, true])
    func directoriesThatPointAtThemselvesAreReadOnce(bigEndian: Bool) throws {
        var tiff = TIFFBuilder(bigEndian: bigEndian)
        tiff.ascii(0x010F, "Loop")
        tiff.directories[0].next = 0  // IFD0 links to itself as IFD1
        let exif = tiff.subdirectory(0x8769)
        tiff.rationals(0x829A, [(1, 100)], in: exif)
        let interop = tiff.subdirectory(0xA005, in: exif)
        tiff.ascii(0x0001, "R98", in: interop)
        tiff.directories[interop].fields.append(
            TIFFBuilder.Field(tag: 0x8769, type: 4, count: 1, data: [], pointsTo: exif, forcedOffset: nil))
        tiff.directories[interop].fields.append(
            TIFFBuilder.Field(tag: 0xA005, type: 4, count: 1, data: [], pointsTo: interop, forcedOffset: nil))
        let gps = tiff.subdirectory(0x8825, in: exif)
        tiff.directories[gps].fields.append(
            TIFFBuilder.Field(tag: 0x8825, type: 4, count: 1, data: [], pointsTo: 0, forcedOffset: nil))
        tiff.directories[gps].next = gps

        let data = try #require(Self.readSafely(tiff.build()))
        #expect(data.directories.map(\.name) == [.ifd0, .exifIFD, .gps, .interopIFD])
        #expect(data[.ifd0]?.tags.map(\.name) == ["Make"])
        #expect(data[.exifIFD]?["ExposureTime"] == .number("0.01"))
        #expect(data[.interopIFD]?["InteropIndex"] == .text("R98"))
        #expect(data[.gps]?.tags.map(\.name) == ["GPSInfo".isEmpty ? "" : "Tag0x8825"])
    }

    @Test func absurdCountsAndOffsetsAreSkipped() throws {
        var tiff = TIFFBuilder(bigEndian: true)
        tiff.ascii(0x010F, "Kept")
        tiff.add(0x0110, type: 2, count: 0x7FFF_FFFF, data: [], forcedOffset: 64)  // past the end
        tiff.add(0x0111, type: 4, count: 0xFFFF_FFFF, data: [], forcedOffset: 8)  // count over 2^32 bytes
        tiff.add(0x010E, type: 2, count: 20, data: [], forcedOffset: 0xFFFF_FFF0)  // offset past the end
        tiff.add(0x0131, type: 2, count: 8, data: [], forcedOffset: 2)  // inside the header
        tiff.add(0x013B, type: 99, count: 1, data: [0, 0, 0, 0])  // no such type
        tiff.add(0x8298, type: 7, count: 10, data: [], forcedOffset: 10)  // on top of the directory
        tiff.shorts(0x0112, [3])
        let exif = tiff.subdirectory(0x8769)
        // A GPS pointer that is not an integer.
        tiff.directories[exif].fields.append(
            TIFFBuilder.Field(tag: 0x8825, type: 5, count: 1, data: [], pointsTo: 0, forcedOffset: nil))
        tiff.rationals(0x829D, [(28, 10)], in: exif)
        var object = tiff.build()
        let data = try #require(Self.readSafely(object))
        #expect(data[.ifd0]?.tags.map(\.name) == ["Make", "Orientation"])
        #expect(data[.ifd0]?["Make"] == .text("Kept"))
        #expect(data[.exifIFD]?["FNumber"] == .number("2.8"))
        #expect(data[.gps] == nil)

        // IFD0 now claims 65535 entries: those that fit are read, and the values they seem to cover are suspect.
        object[8] = 0xFF
        object[9] = 0xFF
        let overlong = try #require(Self.readSafely(object))
        #expect(overlong[.ifd0]?["Orientation"] == .number("3"))
        #expect(overlong[.ifd0]?["Make"] == nil)
    }

    @Test func aDirectoryOfGarbageIsDropped() throws {
        var tiff = TIFFBuilder(bigEndian: false)
        tiff.ascii(0x010F, "Real")
        tiff.directories[0].forcedNext = 3000  // past the end
        let exif = tiff.subdirectory(0x8769)
        tiff.add(0x0001, type: 0, count: 5, data: [1, 2, 3, 4], in: exif)  // first entry with a bad type
        tiff.ascii(0x010E, "never read", in: exif)
        let data = try #require(Self.readSafely(tiff.build()))
        #expect(data.directories.map(\.name) == [.ifd0])
    }

    /// Inputs that crashed an earlier version of the reader.
    @Test func regressions() throws {
        let cases: [[UInt8]] = [
            // An APP1 segment shorter than its "Exif\0\0" identifier, the identifier running on past it.
            [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x07] + Array("Exif\0\0MM\0*\0\0\0\u{8}".utf8),
            // A PNG eXIf chunk of 3 bytes followed by bytes that spell "Exif\0\0".
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 3] + Array("eXIfExif\0\0II*\0".utf8),
        ]
        for object in cases {
            Self.readSafely(object)
            var reader = ExifReader(objectLength: object.count + 100)
            reader.supply(object, at: 0)
            _ = try? reader.read()
        }
    }

    @Test func nothingReadableIsUnprocessable() throws {
        let cases: [[UInt8]] = [
            [], [0xFF], Array("not an image at all".utf8), [0xFF, 0xD8, 0xFF, 0xD9],
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0],
            Array("RIFF\u{4}\0\0\0WEBP".utf8), [0x49, 0x49, 0x2A, 0x00, 0x08, 0, 0, 0, 0, 0],
            [0x4D, 0x4D, 0x00, 0x2A, 0xFF, 0xFF, 0xFF, 0xFF],
        ]
        for object in cases {
            #expect(throws: RefractError.self, "\(object)") { try ExifReader.read(object) }
            #expect(Self.readSafely(object) == nil)
        }
    }
}
