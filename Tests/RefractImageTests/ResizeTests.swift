import Foundation
import RefractCore
import RefractImage
import Testing

@Suite struct ResizeTests {
    /// Expected sizes for a 400×300 (landscape) and a 300×400 (portrait) source.
    struct Case: CustomTestStringConvertible, Sendable {
        let suffix: String
        let landscape: (Int, Int)
        let portrait: (Int, Int)
        var testDescription: String { suffix }
    }

    static let cases: [Case] = [
        Case(suffix: "resize:w=200,h=200", landscape: (200, 150), portrait: (150, 200)),
        Case(suffix: "resize:w=100", landscape: (100, 75), portrait: (100, 133)),
        Case(suffix: "resize:h=100", landscape: (133, 100), portrait: (75, 100)),
        Case(suffix: "resize:200", landscape: (200, 150), portrait: (200, 267)),
        Case(suffix: "resize:w=200,h=100,fit=cover", landscape: (200, 100), portrait: (200, 100)),
        Case(suffix: "resize:w=200,h=100,fit=fill", landscape: (200, 100), portrait: (200, 100)),
        Case(suffix: "resize:w=200,h=100,fit=contain", landscape: (200, 100), portrait: (200, 100)),
        // No upscaling: inside keeps the size; cover and fill shrink the box to fit; contain pads to the box.
        Case(suffix: "resize:w=800", landscape: (400, 300), portrait: (300, 400)),
        Case(suffix: "resize:w=800,h=400,fit=cover", landscape: (400, 200), portrait: (300, 150)),
        Case(suffix: "resize:w=800,h=400,fit=fill", landscape: (400, 200), portrait: (300, 150)),
        Case(suffix: "resize:w=800,h=400,fit=contain", landscape: (800, 400), portrait: (800, 400)),
        // With upscaling, the box itself.
        Case(suffix: "resize:w=800,upscale=true", landscape: (800, 600), portrait: (800, 1067)),
        Case(suffix: "resize:w=800,h=400,fit=cover,upscale=true", landscape: (800, 400), portrait: (800, 400)),
        Case(suffix: "resize:w=800,h=400,fit=fill,upscale=true", landscape: (800, 400), portrait: (800, 400)),
        Case(suffix: "resize:w=800,h=400,fit=contain,upscale=true", landscape: (800, 400), portrait: (800, 400)),
    ]

    @Test(arguments: cases)
    func outputHasTheExactSize(_ testCase: Case) async throws {
        let harness = try ImageHarness.shared()
        let fixtures = try await Fixtures.shared()
        for (source, expected) in [("landscape.jpg", testCase.landscape), ("portrait.jpg", testCase.portrait)] {
            let image = try await harness.decoded(testCase.suffix, on: fixtures.data(source))
            #expect(image.format == "JPEG")
            #expect(
                image.width == expected.0 && image.height == expected.1, "\(source): \(image.width)×\(image.height)")
        }
    }

    /// A JPEG is decoded at a fraction of its size when a resize comes first; the result must be the one the full
    /// decode gives (as a PNG of the same picture has), to the pixel in size and in where a crop falls.
    @Test(arguments: [
        "resize:w=100", "resize:h=77", "resize:w=123,h=45", "resize:w=123,h=45,fit=cover",
        "resize:w=123,h=45,fit=cover,gravity=east", "resize:w=45,h=123,fit=cover,gravity=west",
        "resize:w=123,h=45,fit=fill", "resize:w=123,h=45,fit=contain",
    ])
    func theJPEGDecodeHintChangesNothingButSpeed(_ suffix: String) async throws {
        let harness = try ImageHarness.shared()
        let fixtures = try await Fixtures.shared()
        // 2001×749: red on the left 1001 columns, blue on the right 1000.
        let hinted = try await harness.decoded(suffix + "!format:png", on: fixtures.data("wide-halves.jpg"))
        let full = try await harness.decoded(suffix, on: fixtures.data("wide-halves.png"))
        #expect(hinted.width == full.width && hinted.height == full.height, "\(hinted) vs \(full)")
        for x in [2, hinted.width / 4, hinted.width * 3 / 4, hinted.width - 3] {
            #expect(hinted.pixel(x, hinted.height / 2).isClose(to: full.pixel(x, full.height / 2)), "x = \(x)")
        }
    }

    @Test func containPlacesTheImageAtTheGravityOnTheBackground() async throws {
        let harness = try ImageHarness.shared()
        // halves.png is 400×300, red left, blue right; in a 200×100 box it becomes 133×100.
        let source = try await Fixtures.shared().data("halves.png")
        let centered = try await harness.decoded("resize:w=200,h=100,fit=contain,bg=00ff00", on: source)
        #expect(centered.pixel(5, 50).isClose(to: .green))
        #expect(centered.pixel(194, 50).isClose(to: .green))
        #expect(centered.pixel(50, 50).isClose(to: .red))
        #expect(centered.pixel(150, 50).isClose(to: .blue))

        let west = try await harness.decoded("resize:w=200,h=100,fit=contain,gravity=west,bg=0f0", on: source)
        #expect(west.pixel(5, 50).isClose(to: .red))
        #expect(west.pixel(194, 50).isClose(to: .green))

        let transparent = try await harness.decoded("resize:w=200,h=100,fit=contain,bg=00000000", on: source)
        #expect(transparent.pixel(5, 50).alpha == 0)
        #expect(transparent.pixel(100, 50).alpha == 255)
    }

    @Test func coverCropsAtTheGravity() async throws {
        let harness = try ImageHarness.shared()
        // halves.png is 400×300, red left, blue right: a 100×300 box keeps a full-height strip of it.
        let source = try await Fixtures.shared().data("halves.png")
        let west = try await harness.decoded("resize:w=100,h=300,fit=cover,gravity=west", on: source)
        let east = try await harness.decoded("resize:w=100,h=300,fit=cover,gravity=east", on: source)
        let center = try await harness.decoded("resize:w=100,h=300,fit=cover", on: source)
        #expect(west.width == 100 && west.height == 300)
        #expect(west.pixel(5, 150).isClose(to: .red) && west.pixel(94, 150).isClose(to: .red))
        #expect(east.pixel(5, 150).isClose(to: .blue) && east.pixel(94, 150).isClose(to: .blue))
        #expect(center.pixel(5, 150).isClose(to: .red) && center.pixel(94, 150).isClose(to: .blue))
    }

    @Test func outputsOverTheMaximumDimensionAreScaledDown() async throws {
        var limits = ImageLimits()
        limits.maxDimension = 100
        try await ImageHarness.withEngine(limits: limits) { harness in
            let source = try await Fixtures.shared().data("landscape.jpg")
            let unresized = try await harness.decoded("format:png", on: source)
            #expect(unresized.width == 100 && unresized.height == 75)
            let upscaled = try await harness.decoded(
                "resize:h=100,upscale=true", on: try await Fixtures.shared().data("portrait.jpg"))
            #expect(upscaled.width == 75 && upscaled.height == 100)
            // A side over the maximum is refused when the pipeline is made.
            #expect(throws: RefractError.self) { try harness.registry.pipeline(for: "resize:w=101") }
        }
    }
}
