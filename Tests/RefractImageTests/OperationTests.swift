import Foundation
import RefractCore
import Testing

@Suite struct OperationTests {
    @Test func cropKeepsTheRegionAndClampsItToTheImage() async throws {
        let harness = try ImageHarness.shared()
        // halves.png is 400×300, red left, blue right.
        let source = try await Fixtures.shared().data("halves.png")
        let inside = try await harness.decoded("crop:x=150,y=10,w=100,h=50", on: source)
        #expect(inside.width == 100 && inside.height == 50)
        #expect(inside.pixel(10, 25).isClose(to: .red) && inside.pixel(90, 25).isClose(to: .blue))

        let overEdge = try await harness.decoded("crop:x=350,y=250,w=100,h=100", on: source)
        #expect(overEdge.width == 50 && overEdge.height == 50)
        #expect(overEdge.pixel(25, 25).isClose(to: .blue))

        let outside = await #expect(throws: RefractError.self) {
            try await harness.run("crop:x=400,y=0,w=10,h=10", on: source, contentType: "image/png")
        }
        #expect(outside?.s3Code == "InvalidTransform")
    }

    @Test(arguments: [
        ("90", [RGBA.blue, .red, .green, .yellow]), ("180", [.yellow, .blue, .red, .green]),
        ("270", [.green, .yellow, .blue, .red]),
    ])
    func rotateTurnsClockwise(degrees: String, corners: [RGBA]) async throws {
        // quadrants.png is 60×40: red, green / blue, yellow.
        let image = try await ImageHarness.shared().decoded(
            "rotate:\(degrees)", on: try await Fixtures.shared().data("quadrants.png"))
        let (width, height) = degrees == "180" ? (60, 40) : (40, 60)
        #expect(image.width == width && image.height == height)
        let found = [
            image.pixel(width / 6, height / 6),
            image.pixel(width * 5 / 6, height / 6),
            image.pixel(width * 5 / 6, height * 5 / 6),
            image.pixel(width / 6, height * 5 / 6),
        ]
        #expect(zip(found, corners).allSatisfy { $0.isClose(to: $1) }, "\(found)")
    }

    @Test func grayscaleLeavesOnlyGrey() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("photo.jpg")
        let color = try await harness.decoded("format:png", on: source)
        #expect(!color.isGray(tolerance: 2))
        for format in ["png", "jpeg", "webp"] {
            let gray = try await harness.decoded("resize:w=200!grayscale!format:\(format)", on: source)
            #expect(gray.isGray(tolerance: format == "webp" ? 2 : 0), "\(format)")
            #expect(gray.width == 200)
        }
    }

    @Test func blurAndSharpenChangeThePixelsByTheirSigma() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("photo.png")
        let original = try await harness.decoded("resize:w=200", on: source)
        let lightBlur = try await harness.decoded("resize:w=200!blur:0.5", on: source)
        let heavyBlur = try await harness.decoded("resize:w=200!blur:sigma=5", on: source)
        let sharpened = try await harness.decoded("resize:w=200!sharpen", on: source)
        #expect(original.difference(from: lightBlur) > 0)
        #expect(original.difference(from: lightBlur) < original.difference(from: heavyBlur))
        #expect(original.difference(from: sharpened) > 0)
    }

    @Test func operationsRunInPipelineOrder() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("halves.png")
        // halves.png is 400×300, red left, blue right. Cropping the left 100 columns, then turning, gives a red
        // 300×100 strip. Turning first makes it 300×400, red on top, blue below: a crop then takes rows of that.
        let cropThenRotate = try await harness.decoded("crop:w=100,h=300!rotate:90", on: source)
        #expect(cropThenRotate.width == 300 && cropThenRotate.height == 100)
        #expect(cropThenRotate.pixel(150, 50).isClose(to: .red))
        let rotateThenCrop = try await harness.decoded("rotate:90!crop:w=300,h=100", on: source)
        #expect(rotateThenCrop.width == 300 && rotateThenCrop.height == 100)
        #expect(rotateThenCrop.pixel(150, 50).isClose(to: .red))
        let rotateThenCropLower = try await harness.decoded("rotate:90!crop:y=300,w=300,h=100", on: source)
        #expect(rotateThenCropLower.pixel(150, 50).isClose(to: .blue))
    }
}
