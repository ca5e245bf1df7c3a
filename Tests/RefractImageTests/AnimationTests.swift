import Foundation
import RefractCore
import RefractImage
import Testing

/// Animated GIF and WebP: every frame is transformed while the animation has at most `maxFrames` frames and its
/// frames together stay under `maxSourcePixels`, and the output format can animate; else the first frame only.
@Suite struct AnimationTests {
    @Test func everyFrameIsTransformed() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("animated.gif")
        let gif = try await harness.run("resize:w=50", on: source, contentType: "image/gif")
        #expect(gif.output.contentType == "image/gif")
        let image = try await DecodedImage(gif.bytes)
        #expect(image.frameCount == 3)
        #expect(image.width == 50 && image.height == 40)
        #expect(image.pixel(25, 20).isClose(to: .red))

        let webp = try await harness.run("resize:w=50!format:webp", on: source, contentType: "image/gif")
        #expect(webp.output.contentType == "image/webp")
        let animatedWebP = try await DecodedImage(webp.bytes)
        #expect(animatedWebP.frameCount == 3)
        #expect(animatedWebP.width == 50 && animatedWebP.height == 40)
    }

    @Test func aStillFormatGetsTheFirstFrame() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("animated.gif")
        for format in ["png", "jpeg"] {
            let image = try await harness.decoded("resize:w=50!format:\(format)", on: source)
            #expect(image.frameCount == 1)
            #expect(image.pixel(25, 20).isClose(to: .red))
        }
    }

    @Test func autoKeepsTheAnimationInAFormatThatHoldsIt() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("animated.gif")
        let both = try await harness.run(
            "resize:w=50!format:auto",
            on: source,
            contentType: "image/gif",
            requestHeaders: ["accept": "image/avif,image/webp,*/*"]
        )
        #expect(both.output.contentType == "image/webp")
        #expect(try await DecodedImage(both.bytes).frameCount == 3)
        let avifOnly = try await harness.run(
            "resize:w=50!format:auto",
            on: source,
            contentType: "image/gif",
            requestHeaders: ["accept": "image/avif,*/*"]
        )
        #expect(avifOnly.output.contentType == "image/gif")
        #expect(try await DecodedImage(avifOnly.bytes).frameCount == 3)
    }

    @Test func aLongerAnimationGivesItsFirstFrame() async throws {
        var limits = ImageLimits()
        limits.maxFrames = 2
        try await ImageHarness.withEngine(limits: limits) { harness in
            let image = try await harness.decoded("resize:w=50", on: try await Fixtures.shared().data("animated.gif"))
            #expect(image.frameCount == 1)
            #expect(image.pixel(25, 20).isClose(to: .red))
        }
        // 3 frames of 100×80 hold 24 000 pixels.
        limits = ImageLimits()
        limits.maxSourcePixels = 20_000
        try await ImageHarness.withEngine(limits: limits) { harness in
            let image = try await harness.decoded("resize:w=50", on: try await Fixtures.shared().data("animated.gif"))
            #expect(image.frameCount == 1)
        }
    }
}
