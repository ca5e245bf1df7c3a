import Foundation
import Testing

/// Small images with EXIF, written once per test that needs them.
enum ExifFixtureFiles {
    /// The tags every fixture gets, GPS included.
    static let tags = [
        "-Make=Canon", "-Model=Canon EOS R5", "-DateTimeOriginal=2024:05:06 07:08:09", "-Orientation#=6",
        "-ExposureTime=1/125", "-FNumber=4", "-ISO=800", "-FocalLength=35", "-UserComment=fixture",
        "-GPSLatitude=12.5", "-GPSLatitudeRef=S", "-GPSLongitude=45.25", "-GPSLongitudeRef=W", "-GPSAltitude=3",
        "-GPSAltitudeRef#=1", "-InteropIndex=R98",
    ]

    /// A JPEG, PNG, WebP and TIFF with ``tags``, keyed by extension, in `directory`.
    static func make(in directory: URL, extraTags: [String] = []) async throws -> [String: URL] {
        var files: [String: URL] = [:]
        for fileExtension in ["jpg", "png", "webp", "tif"] {
            let file = try await MetadataTool.makeImage(named: "fixture.\(fileExtension)", in: directory)
            try await MetadataTool.writeTags(tags + extraTags, to: file)
            files[fileExtension] = file
        }
        return files
    }
}

/// A random number generator with a fixed seed (SplitMix64), so that random tests fail the same way every run.
struct SeededRandom: RandomNumberGenerator {
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
