import Foundation
import RefractImage
import Testing

/// Refract's EXIF values against exiftool's on files exiftool and ImageMagick write: every format, both byte orders,
/// all four hemispheres and an altitude below sea level.
@Suite struct ExifReaderExiftoolTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var fileExtension: String
        var byteOrder: String
        var latitude: (value: String, reference: String)
        var longitude: (value: String, reference: String)
        var altitude: (value: String, belowSeaLevel: Bool)

        var testDescription: String {
            "\(fileExtension) \(byteOrder) \(latitude.reference)\(longitude.reference)"
                + (altitude.belowSeaLevel ? " below sea level" : "")
        }
    }

    static let positions: [(String, String, String, String, String, Bool)] = [
        ("48.8584", "N", "2.2945", "E", "35.5", false),
        ("22.9519", "S", "43.2105", "W", "12.25", true),
        ("40.6892", "N", "74.0445", "W", "3.5", true),
        ("33.8568", "S", "151.2153", "E", "120.75", false),
    ]

    static let cases: [Case] = ["jpg", "png", "webp", "tif"].flatMap { fileExtension in
        positions.enumerated().map { index, position in
            Case(
                fileExtension: fileExtension, byteOrder: index.isMultiple(of: 2) ? "II" : "MM",
                latitude: (position.0, position.1), longitude: (position.2, position.3),
                altitude: (position.4, position.5))
        }
    }

    @Test(arguments: cases)
    func matchesExiftool(_ fixture: Case) async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A TIFF keeps the byte order it was written in; JPEG, PNG and WebP EXIF take exiftool's -ExifByteOrder.
        let endian = fixture.byteOrder == "MM" ? "msb" : "lsb"
        let file = try await MetadataTool.makeImage(
            named: "fixture.\(fixture.fileExtension)", in: directory,
            extraArguments: fixture.fileExtension == "tif" ? ["-define", "tiff:endian=\(endian)"] : [])
        try await MetadataTool.writeTags(
            [
                "-ExifByteOrder=\(fixture.byteOrder)", "-Make=Canon", "-Model=Canon EOS 5D Mark IV",
                "-DateTimeOriginal=2024:05:06 07:08:09", "-Orientation#=6", "-ExposureTime=1/250", "-FNumber=2.8",
                "-ISO=400", "-FocalLength=50", "-GPSLatitude=\(fixture.latitude.value)",
                "-GPSLatitudeRef=\(fixture.latitude.reference)", "-GPSLongitude=\(fixture.longitude.value)",
                "-GPSLongitudeRef=\(fixture.longitude.reference)", "-GPSAltitude=\(fixture.altitude.value)",
                "-GPSAltitudeRef#=\(fixture.altitude.belowSeaLevel ? 1 : 0)",
            ], to: file)
        let (data, exiftool) = try await ExiftoolComparison.expectMatch(file)

        #expect(exiftool["File:ExifByteOrder"] as? String == fixture.byteOrder)
        #expect(
            data.header.format.rawValue
                == ["jpg": "jpeg", "tif": "tiff"][fixture.fileExtension, default: fixture.fileExtension])
        #expect(data.header.width == 64 && data.header.height == 48)
        let ifd0 = try #require(data[.ifd0])
        #expect(ifd0["Make"] == .text("Canon"))
        #expect(ifd0["Orientation"] == .number("6"))
        let exifIFD = try #require(data[.exifIFD])
        #expect(exifIFD["ExposureTime"] == .number("0.004"))
        #expect(exifIFD["FNumber"] == .number("2.8"))
        #expect(exifIFD["ISO"] == .number("400"))
        #expect(exifIFD["DateTimeOriginal"] == .text("2024:05:06 07:08:09"))
        let position = try #require(data.gpsPosition)
        let latitude = Double(fixture.latitude.value)! * (fixture.latitude.reference == "S" ? -1 : 1)
        let longitude = Double(fixture.longitude.value)! * (fixture.longitude.reference == "W" ? -1 : 1)
        let altitude = Double(fixture.altitude.value)! * (fixture.altitude.belowSeaLevel ? -1 : 1)
        #expect(abs(position.latitude! - latitude) < 1e-6)
        #expect(abs(position.longitude! - longitude) < 1e-6)
        #expect(position.altitude == altitude)
    }

    @Test func manyTagsWithAThumbnailMatchExiftool() async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let thumbnail = try await MetadataTool.makeImage(named: "thumbnail.jpg", in: directory)
        for byteOrder in ["II", "MM"] {
            let file = try await MetadataTool.makeImage(named: "rich-\(byteOrder).jpg", in: directory)
            try await MetadataTool.writeTags(
                [
                    "-ExifByteOrder=\(byteOrder)", "-ThumbnailImage<=\(thumbnail.path)", "-Make=NIKON CORPORATION",
                    "-Model=NIKON D850", "-Software=Refract test  ", "-Artist=Jane Doe", "-Copyright=© Jane Doe",
                    "-ImageDescription=Line one\nline two", "-UserComment=A comment", "-XPTitle=Titre été 🙂",
                    "-XPKeywords=alpha;beta", "-LensInfo=24 70 2.8 2.8", "-LensModel=AF-S 24-70mm f/2.8",
                    "-LensMake=Nikon", "-SerialNumber=123456", "-SubSecTimeOriginal=123",
                    "-OffsetTimeOriginal=+02:00", "-ShutterSpeedValue=1/250", "-ApertureValue=2.8",
                    "-MaxApertureValue=1.4", "-ExposureCompensation=-2/3", "-BrightnessValue=-1.25",
                    "-AmbientTemperature=-5.5", "-Flash#=16", "-WhiteBalance#=1", "-ColorSpace#=1", "-SceneType#=1",
                    "-FileSource#=3", "-ExifImageWidth=64", "-ExifImageHeight=48", "-FocalLengthIn35mmFormat=75",
                    "-DigitalZoomRatio=0", "-SubjectDistance=4.5", "-InteropIndex=R98", "-ImageUniqueID=abc123",
                    "-Rating=4", "-GPSLatitude=1.5", "-GPSLatitudeRef=S", "-GPSLongitude=100.25",
                    "-GPSLongitudeRef=E", "-GPSTimeStamp=12:34:56.5", "-GPSDateStamp=2024:05:06",
                    "-GPSProcessingMethod=GPS", "-GPSSpeed=5.5", "-GPSSpeedRef=K", "-GPSImgDirection=123.45",
                    "-GPSMapDatum=WGS-84", "-GPSDestLatitude=2.25", "-GPSDestLongitude=3.125",
                    "-GPSHPositioningError=2.5",
                ], to: file)
            let (data, exiftool) = try await ExiftoolComparison.expectMatch(file)
            #expect(exiftool["File:ExifByteOrder"] as? String == byteOrder)
            #expect(data[.ifd1]?["ThumbnailLength"] != nil)
            #expect(data[.interopIFD]?["InteropIndex"] == .text("R98"))
            #expect(data.gpsPosition?.altitude == nil)
        }
    }

    @Test(arguments: [false, true])
    func everyFieldTypeMatchesExiftool(bigEndian: Bool) async throws {
        let directory = try MetadataTool.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var tiff = TIFFBuilder(bigEndian: bigEndian)
        tiff.longs(0x0100, [64])
        tiff.shorts(0x0101, [48])
        tiff.ascii(0x010F, "Maker   ")
        tiff.ascii(0x010E, "Description\u{0}hidden after NUL")
        tiff.add(0x8830, type: 6, count: 2, data: [0xFD, 0x05])  // SBYTE -3 5
        tiff.add(0x882A, type: 8, count: 2, data: tiff.u16(0xFFFB) + tiff.u16(3))  // SSHORT -5 3
        tiff.add(0xEA1D, type: 9, count: 1, data: tiff.u32(UInt32(bitPattern: -123_456)))  // SLONG
        tiff.add(
            0x830E, type: 12, count: 3, data: [0.5, 1e-7, 3.141_592_653_589_79].flatMap { tiff.u64($0.bitPattern) })
        tiff.add(0x4746, type: 1, count: 1, data: [5])  // BYTE
        tiff.rationals(0x011A, [(72, 1)])
        tiff.rationals(0x011B, [(1, 0)])  // inf
        tiff.rationals(0x011E, [(0, 0)])  // undef
        tiff.rationals(0x013E, [(1, 3), (2, 3)])
        tiff.add(0x9C9B, type: 1, count: 12, data: Array("Ti\u{0}t\u{0}l\u{0}e\u{0}".utf8) + [0, 0, 0, 0] + [])
        let exif = tiff.subdirectory(0x8769, type: 13)  // an IFD-typed pointer
        tiff.rationals(0x9204, [(UInt32(bitPattern: -2), 3)], signed: true, in: exif)
        tiff.rationals(0x9400, [(UInt32(bitPattern: -5), 0)], signed: true, in: exif)
        tiff.add(0x9203, type: 11, count: 1, data: tiff.u32(Float(0.1).bitPattern), in: exif)  // FLOAT
        tiff.add(0x9000, type: 7, count: 4, data: Array("0232".utf8), in: exif)
        tiff.add(0xA301, type: 7, count: 1, data: [1], in: exif)  // one UNDEFINED byte reads as a number
        tiff.add(0x9101, type: 7, count: 4, data: [1, 2, 3, 0], in: exif)
        tiff.add(0x9286, type: 7, count: 16, data: Array("ASCII\u{0}\u{0}\u{0}hello   ".utf8), in: exif)
        tiff.add(0x9201, type: 10, count: 1, data: tiff.u32(UInt32(bitPattern: 7)) + tiff.u32(1), in: exif)
        tiff.rationals(0x9202, [(3, 1)], in: exif)
        tiff.shorts(0xABCD, [1, 2], in: exif)  // unknown to exiftool
        let gps = tiff.subdirectory(0x8825)
        tiff.add(0x0000, type: 1, count: 4, data: [2, 3, 0, 0], in: gps)
        tiff.ascii(0x0001, "N", in: gps)
        tiff.rationals(0x0002, [(10, 1), (30, 1), (1512, 100)], in: gps)
        tiff.ascii(0x0003, "W", in: gps)
        tiff.rationals(0x0004, [(120, 1), (0, 1), (0, 0)], in: gps)
        tiff.rationals(0x0007, [(23, 1), (59, 1), (5999, 100)], in: gps)
        tiff.add(0x001D, type: 2, count: 11, data: Array("2024-05-06\u{0}".utf8), in: gps)
        let file = directory.appendingPathComponent("types.tif")
        try Data(tiff.build()).write(to: file)

        let data = try ExifReader.read(tiff.build())
        let values = try await MetadataTool.exiftoolValues(of: file)
        let theirs = values.filter { ExiftoolComparison.groups.contains(String($0.key.prefix { $0 != ":" })) }
        for (key, theirValue) in theirs {
            let parts = key.split(separator: ":").map(String.init)
            let name = try #require(ExifDirectory.Name(rawValue: parts[0]))
            let ours = try #require(data[name]?[parts[1]], "\(key) missing")
            let parsed = try JSONSerialization.jsonObject(
                with: Data(jsonFragment(ours).utf8), options: .fragmentsAllowed)
            #expect(ExiftoolComparison.jsonEqual(parsed, theirValue), "\(key): Refract \(ours), exiftool \(theirValue)")
        }
        #expect(theirs.count >= 25)
        #expect(data[.exifIFD]?["Tag0xabcd"] == .text("1 2"))
        #expect(data[.ifd0]?["XResolution"] == .number("72"))
        #expect(data[.ifd0]?["YResolution"] == .text("inf"))
        #expect(data[.exifIFD]?["BrightnessValue"] == .number("0.100000001490116"))
    }

    private func jsonFragment(_ value: ExifValue) -> String {
        switch value {
        case .number(let text): text
        case .text, .binary:
            "\""
                + value.displayText.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
    }
}
