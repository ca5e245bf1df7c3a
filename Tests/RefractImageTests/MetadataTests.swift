import Foundation
import Testing

@Suite struct MetadataTests {
    /// The EXIF Make and Orientation tags of `data`, nil where absent.
    private func exifTags(_ data: Data) async throws -> (make: String?, orientation: String?) {
        let path = try TemporaryDirectory.writeScratchFile(data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // "Make: RefractTest" lines, one per tag present.
        var tags: [String: String] = [:]
        for line in try await Tools.exiftool(["-s2", "-n", "-Make", "-Orientation", path]).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { tags[parts[0]] = parts[1] }
        }
        return (tags["Make"], tags["Orientation"])
    }

    @Test func metadataIsStrippedUnlessAskedToKeep() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("photo.jpg")
        #expect(try await exifTags(source).make == "RefractTest")

        let stripped = try await harness.run("resize:w=100", on: source).bytes
        #expect(try await exifTags(stripped).make == nil)
        let alsoStripped = try await harness.run("grayscale", on: source).bytes
        #expect(try await exifTags(alsoStripped).make == nil)

        let kept = try await harness.run("resize:w=100,strip=false", on: source).bytes
        #expect(try await exifTags(kept).make == "RefractTest")
    }

    /// The pixels are turned upright, so a kept Orientation tag must say so, or viewers would turn them again.
    @Test func aKeptOrientationTagSaysUpright() async throws {
        let source = try await Fixtures.shared().data("orientation-6.jpg")
        #expect(try await exifTags(source).orientation == "6")
        for format in ["jpeg", "png", "webp"] {
            let kept = try await ImageHarness.shared().run("resize:w=20,strip=false!format:\(format)", on: source).bytes
            #expect(try await exifTags(kept).orientation == "1", "\(format)")
            let image = try await DecodedImage(kept)
            #expect(image.width == 20 && image.height == 13)
        }
    }
}
