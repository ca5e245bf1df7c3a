import Foundation
import NIOCore
import RefractCore
import RefractImage
import Testing

@Suite struct SourceSafetyTests {
    private func expectRefusal(
        _ code: String,
        suffix: String = "resize:w=100",
        source: Data,
        contentType: String = "image/jpeg",
        harness: ImageHarness? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let harness = try harness ?? ImageHarness.shared()
        let error = await #expect(throws: RefractError.self, sourceLocation: sourceLocation) {
            try await harness.run(suffix, on: source, contentType: contentType)
        }
        #expect(error?.s3Code == code, "\(error?.description ?? "no error")", sourceLocation: sourceLocation)
    }

    @Test func aHugeDeclaredImageIsRefusedFromItsHeader() async throws {
        let bomb = LargePNG.make(width: 30000, height: 30000)
        #expect(bomb.count < 1_000_000)
        // An engine of its own, so that no other test's job queues in front of this one.
        try await ImageHarness.withEngine { harness in
            // The same construction at a small size is a valid image: the large one is refused for its size alone.
            let small = try await harness.decoded("resize:w=30", on: LargePNG.make(width: 300, height: 200))
            #expect(small.width == 30 && small.height == 20 && small.pixel(15, 10) == RGBA(red: 0, green: 0, blue: 0))

            // Decoding it would allocate 900 million pixels, past every resource limit: it would fail as such, not
            // as too large.
            try await expectRefusal("SourceTooLarge", source: bomb, contentType: "image/png", harness: harness)
        }
    }

    @Test func anImageOverThePixelLimitIsRefused() async throws {
        var limits = ImageLimits()
        limits.maxSourcePixels = 100_000
        try await ImageHarness.withEngine(limits: limits) { harness in
            // 400×300 = 120 000 pixels.
            try await expectRefusal(
                "SourceTooLarge", source: try await Fixtures.shared().data("landscape.jpg"), harness: harness)
            let image = try await harness.decoded(
                "resize:w=10", on: try await Fixtures.shared().data("transparent.png"))
            #expect(image.width == 10)
        }
    }

    /// Within the pixel limit but over the engine's pixel memory (the default limits give at most 1 GiB, on disk):
    /// refused before decoding, as too large rather than broken.
    @Test func anImageOverThePixelMemoryIsRefused() async throws {
        var limits = ImageLimits()
        limits.maxSourcePixels = 200_000_000
        try await ImageHarness.withEngine(limits: limits) { harness in
            // 144 million pixels take 1.15 GB at 8 bytes each.
            try await expectRefusal(
                "SourceTooLarge",
                source: LargePNG.make(width: 12000, height: 12000),
                contentType: "image/png",
                harness: harness
            )
        }
    }

    /// An image wider than ImageMagick's policy allows (16K on Debian) but under the pixel limit is too large for
    /// this gateway, not broken: either the library takes it, or the refusal says SourceTooLarge.
    @Test func anImageWiderThanTheLibraryTakesIsTooLargeNotCorrupt() async throws {
        let wide = LargePNG.make(width: 20000, height: 100)
        let harness = try ImageHarness.shared()
        do {
            let image = try await harness.decoded("resize:w=200", on: wide)
            #expect(image.width == 200 && image.height == 1)
        } catch let error as RefractError {
            #expect(error.s3Code == "SourceTooLarge", "\(error)")
        }
    }

    @Test func aTruncatedImageIsUnprocessable() async throws {
        let fixtures = try await Fixtures.shared()
        let jpeg = try fixtures.data("photo.jpg")
        try await expectRefusal("UnprocessableSource", source: jpeg.prefix(jpeg.count / 2))
        // Only the end-of-image marker missing: every pixel is there, yet the file was cut.
        try await expectRefusal("UnprocessableSource", source: jpeg.dropLast(2))
        let png = try fixtures.data("photo.png")
        try await expectRefusal("UnprocessableSource", source: png.prefix(png.count / 2), contentType: "image/png")
        let gif = try fixtures.data("animated.gif")
        try await expectRefusal("UnprocessableSource", source: gif.prefix(gif.count / 2), contentType: "image/gif")
    }

    /// Stray bytes between JPEG segments (some cameras write them) draw a "Corrupt JPEG data" warning from libjpeg
    /// but leave a whole picture: accepted.
    @Test func aJPEGWithStrayBytesBetweenSegmentsIsAccepted() async throws {
        var jpeg = try await Fixtures.shared().data("photo.jpg")
        // After the start-of-image marker and the first segment (its length counts its own two bytes).
        let firstSegmentEnd = 4 + (Int(jpeg[4]) << 8 | Int(jpeg[5]))
        #expect(jpeg[firstSegmentEnd] == 0xFF)
        jpeg.insert(contentsOf: [0x00, 0x11, 0x22], at: firstSegmentEnd)
        let image = try await ImageHarness.shared().decoded("resize:w=100", on: jpeg)
        #expect(image.width == 100 && image.height == 75)
    }

    static let notImages: [(name: String, contentType: String, bytes: Data)] = [
        ("random bytes", "image/jpeg", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })),
        (
            "SVG", "image/svg+xml",
            Data(
                #"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#
                    .utf8)
        ),
        (
            "MVG", "image/png",
            Data("push graphic-context\nviewbox 0 0 10 10\nfill red\nrectangle 0 0 5 5\npop graphic-context\n".utf8)
        ),
        (
            "PostScript", "image/jpeg",
            Data("%!PS-Adobe-3.0\n/Times findfont 12 scalefont setfont 0 0 moveto (x) show showpage\n".utf8)
        ),
        ("MSL", "image/png", Data(#"<?xml version="1.0"?><image><read filename="/etc/passwd"/></image>"#.utf8)),
        ("text", "image/gif", Data("text:/etc/passwd\n".utf8)),
        // A PNG signature in front of an MVG body: the PNG coder is pinned, so it fails as a broken PNG.
        (
            "MVG behind a PNG signature", "image/png",
            Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data("viewbox 0 0 10 10\n".utf8)
        ),
        ("empty", "image/png", Data()),
    ]

    @Test func whatIsNotAnImageIsUnprocessable() async throws {
        for notImage in Self.notImages {
            let harness = try ImageHarness.shared()
            let error = await #expect(throws: RefractError.self, "\(notImage.name)") {
                try await harness.run("resize:w=100", on: notImage.bytes, contentType: notImage.contentType)
            }
            #expect(error?.s3Code == "UnprocessableSource", "\(notImage.name): \(error?.description ?? "no error")")
        }
    }

    @Test func aNonImageContentTypeIsUnsupported() async throws {
        try await expectRefusal(
            "UnsupportedMediaType", source: try await Fixtures.shared().data("landscape.jpg"), contentType: "text/plain"
        )
    }

    @Test func aSourceOverTheByteLimitIsRefusedBeforeItIsAllRead() async throws {
        var limits = ImageLimits()
        limits.maxSourceBytes = 10_000
        let jpeg = [UInt8](try await Fixtures.shared().data("photo.jpg"))
        #expect(jpeg.count > 20_000)
        try await ImageHarness.withEngine(limits: limits) { harness in
            // Streamed with no length: refused once the limit is passed.
            let streamed = CountedBody(jpeg, chunkSize: 1000)
            let streamedError = await #expect(throws: RefractError.self) {
                try await harness.run(
                    "resize:w=100",
                    input: TransformInput(body: streamed.body, contentType: "image/jpeg", contentLength: nil)
                )
            }
            #expect(streamedError?.s3Code == "SourceTooLarge")
            #expect(streamed.bytesRead <= 11_000)

            // With a length: refused before reading.
            let announced = CountedBody(jpeg, chunkSize: 1000)
            let announcedError = await #expect(throws: RefractError.self) {
                try await harness.run(
                    "resize:w=100",
                    input: TransformInput(body: announced.body, contentType: "image/jpeg", contentLength: jpeg.count)
                )
            }
            #expect(announcedError?.s3Code == "SourceTooLarge")
            #expect(announced.bytesRead == 0)
        }
    }
}
