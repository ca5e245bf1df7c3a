import Foundation
import Testing

@Suite struct OrientationTests {
    /// Every EXIF orientation comes out upright: the stored pixels are the upright picture turned or mirrored as
    /// the tag says, and the output's corners must have the upright picture's colours. Through a plain re-encode,
    /// and through a resize, where the JPEG is decoded at reduced size in its stored orientation.
    @Test(arguments: 1...8, ["format:png", "resize:w=30!format:png", "resize:w=20,h=20,fit=cover!format:png"])
    func comesOutUpright(orientation: Int, suffix: String) async throws {
        let source = try await Fixtures.shared().data("orientation-\(orientation).jpg")
        let image = try await ImageHarness.shared().decoded(suffix, on: source)
        let expectedSize =
            switch suffix {
            case "format:png": (60, 40)
            case "resize:w=30!format:png": (30, 20)
            default: (20, 20)
            }
        #expect(image.width == expectedSize.0 && image.height == expectedSize.1, "\(image.width)×\(image.height)")
        let corners = [
            image.pixel(image.width / 6, image.height / 6),
            image.pixel(image.width * 5 / 6, image.height / 6),
            image.pixel(image.width * 5 / 6, image.height * 5 / 6),
            image.pixel(image.width / 6, image.height * 5 / 6),
        ]
        for (corner, expected) in zip(corners, Fixtures.quadrantColors) {
            #expect(corner.isClose(to: expected, tolerance: 60), "\(corners)")
        }
    }
}
