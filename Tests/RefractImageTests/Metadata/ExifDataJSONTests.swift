import Foundation
import RefractImage
import Testing

/// The `exif` transform's JSON: SPEC §2's members, deterministic, and without any GPS data when asked.
@Suite struct ExifDataJSONTests {
    static func sample(withGPS: Bool = true) -> [UInt8] {
        var tiff = TIFFBuilder(bigEndian: false)
        tiff.shorts(0x0100, [640])
        tiff.shorts(0x0101, [480])
        tiff.ascii(0x010F, "Quote \" backslash \\ tab \t bell \u{7}")
        let exif = tiff.subdirectory(0x8769)
        tiff.rationals(0x829A, [(1, 8000)], in: exif)
        tiff.add(0xA40B, type: 7, count: 9, data: Array("123456789".utf8), in: exif)  // binary: measured only
        if withGPS {
            let gps = tiff.subdirectory(0x8825)
            tiff.ascii(0x0001, "S", in: gps)
            tiff.rationals(0x0002, [(33, 1), (51, 1), (2448, 100)], in: gps)
            tiff.ascii(0x0003, "W", in: gps)
            tiff.rationals(0x0004, [(70, 1), (0, 1), (0, 1)], in: gps)
        }
        return tiff.build()
    }

    @Test func membersAndValuesAsSpecified() throws {
        let json = try ExifReader.read(Self.sample()).json()
        #expect(
            json == """
                {"format":"tiff","width":640,"height":480,"exif":{"IFD0":{"ImageWidth":640,"ImageHeight":480,\
                "Make":"Quote \\" backslash \\\\ tab \\t bell \\u0007"},"ExifIFD":{"ExposureTime":0.000125,\
                "DeviceSettingDescription":"(Binary data 9 bytes, use -b option to extract)"},"GPS":{\
                "GPSLatitudeRef":"S","GPSLatitude":33.8568,"GPSLongitudeRef":"W","GPSLongitude":70}},\
                "gps":{"latitude":-33.8568,"longitude":-70,"altitude":null}}
                """)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(parsed.keys) == ["format", "width", "height", "exif", "gps"])
    }

    @Test func gpsFalseLeavesNoGPSData() throws {
        let data = try ExifReader.read(Self.sample())
        let json = data.json(includingGPS: false)
        #expect(!json.contains("GPS") && !json.contains("gps"))
        #expect(
            json.hasSuffix(
                "\"ExifIFD\":{\"ExposureTime\":0.000125,"
                    + "\"DeviceSettingDescription\":\"(Binary data 9 bytes, use -b option to extract)\"}}}"))
        #expect(data.withoutGPS.json() == data.json(includingGPS: false).dropLast() + ",\"gps\":null}")
    }

    @Test func noPositionIsNull() throws {
        let json = try ExifReader.read(Self.sample(withGPS: false)).json()
        #expect(json.hasSuffix(",\"gps\":null}"))
    }

    @Test func theSameBytesGiveTheSameJSON() throws {
        let outputs = Set((0..<20).map { _ in (try? ExifReader.read(Self.sample()).json()) ?? "" })
        #expect(outputs.count == 1)
    }
}
