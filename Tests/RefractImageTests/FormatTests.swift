import Foundation
import RefractCore
import RefractImage
import Testing

@Suite struct FormatTests {
    static let signatures: [(type: String, mediaType: String, matches: @Sendable (Data) -> Bool)] = [
        ("jpeg", "image/jpeg", { $0.starts(with: [0xFF, 0xD8, 0xFF]) }),
        ("png", "image/png", { $0.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) }),
        (
            "webp", "image/webp",
            { $0.starts(with: Array("RIFF".utf8)) && $0.dropFirst(8).starts(with: Array("WEBP".utf8)) }
        ),
        ("gif", "image/gif", { $0.starts(with: Array("GIF89a".utf8)) || $0.starts(with: Array("GIF87a".utf8)) }),
        ("avif", "image/avif", { $0.dropFirst(4).starts(with: Array("ftypavif".utf8)) }),
    ]

    @Test func eachFormatHasItsSignatureAndContentType() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("landscape.jpg")
        let available = harness.engine.availableFormats
        #expect(Set(["jpeg", "png", "webp", "gif"]).isSubset(of: available))
        #expect(available.contains("avif") == harness.engine.hasAVIF)
        for signature in Self.signatures where available.contains(signature.type) {
            let (output, bytes) = try await harness.run("resize:w=100!format:\(signature.type)", on: source)
            #expect(signature.matches(bytes), "format:\(signature.type)")
            #expect(output.contentType == signature.mediaType)
            #expect(output.contentLength == bytes.count)
            #expect(output.headers["vary"] == nil)
            let image = try await DecodedImage(bytes)
            #expect(image.width == 100 && image.height == 75)
        }
    }

    @Test func withoutAFormatStepTheSourceFormatIsKept() async throws {
        let harness = try ImageHarness.shared()
        let (output, bytes) = try await harness.run("resize:w=50", on: try await Fixtures.shared().data("halves.png"))
        #expect(output.contentType == "image/png")
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func tiffAVIFAndHEICSourcesAreDecoded() async throws {
        let harness = try ImageHarness.shared()
        let directory = try TemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let landscape = try await Fixtures.shared().directory.path("landscape.jpg")
        // HEIC becomes JPEG unless a format step says otherwise: browsers do not show it.
        var expected = [("tiff", "image/tiff")]
        if harness.engine.hasAVIF {
            expected += [("avif", "image/avif"), ("heic", "image/jpeg")]
        }
        for (format, mediaType) in expected {
            try await Tools.convert([landscape, "-resize", "200x150", directory.path("source.\(format)")])
            let source = try Data(contentsOf: directory.url.appendingPathComponent("source.\(format)"))
            let (output, bytes) = try await harness.run("resize:w=100", on: source, contentType: "image/\(format)")
            #expect(output.contentType == mediaType, "\(format)")
            let image = try await DecodedImage(bytes)
            #expect(image.width == 100 && image.height == 75, "\(format)")
        }
    }

    @Test func qualityChangesTheSize() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("photo.jpg")
        for format in ["jpeg", "webp"] {
            let low = try await harness.run("format:\(format)!quality:20", on: source).bytes
            let standard = try await harness.run("format:\(format)", on: source).bytes
            let high = try await harness.run("quality:95!format:\(format)", on: source).bytes
            #expect(
                low.count < standard.count && standard.count < high.count,
                "\(format): \(low.count), \(standard.count), \(high.count)")
        }
    }

    @Test func transparencyIsLaidOnTheBackgroundForJPEG() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("transparent.png")
        let white = try await harness.decoded("format:jpeg", on: source)
        #expect(white.pixel(5, 5).isClose(to: .white, tolerance: 8))
        #expect(white.pixel(50, 50).isClose(to: .red))
        let blue = try await harness.decoded("resize:w=100,bg=00f!format:jpeg", on: source)
        #expect(blue.pixel(5, 5).isClose(to: .blue))
        // Formats with alpha keep it.
        let webp = try await harness.decoded("format:webp", on: source)
        #expect(webp.pixel(5, 5).alpha == 0)
    }

    struct AutoCase: CustomTestStringConvertible, Sendable {
        let accept: String?
        /// The variant and content type with an AVIF coder, and without.
        let withAVIF: (variant: String, mediaType: String)
        let withoutAVIF: (variant: String, mediaType: String)
        var testDescription: String { accept ?? "no Accept" }
    }

    static let autoCases: [AutoCase] = [
        AutoCase(
            accept: "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
            withAVIF: ("avif", "image/avif"),
            withoutAVIF: ("webp", "image/webp")
        ),
        AutoCase(accept: "image/webp,*/*", withAVIF: ("webp", "image/webp"), withoutAVIF: ("webp", "image/webp")),
        AutoCase(
            accept: "image/avif;q=0, image/webp;q=0.5",
            withAVIF: ("webp", "image/webp"),
            withoutAVIF: ("webp", "image/webp")
        ),
        AutoCase(accept: "image/*,*/*", withAVIF: ("source", "image/jpeg"), withoutAVIF: ("source", "image/jpeg")),
        AutoCase(accept: nil, withAVIF: ("source", "image/jpeg"), withoutAVIF: ("source", "image/jpeg")),
    ]

    @Test(arguments: autoCases)
    func autoFollowsTheAcceptHeader(_ testCase: AutoCase) async throws {
        let harness = try ImageHarness.shared()
        let expected = harness.engine.hasAVIF ? testCase.withAVIF : testCase.withoutAVIF
        let headers = testCase.accept.map { ["accept": $0] } ?? [:]
        let pipeline = try harness.registry.pipeline(for: "resize:w=100!format:auto")
        #expect(
            pipeline.outputVariants(requestHeaders: headers) == [
                OutputVariant(requestHeader: "accept", value: expected.variant)
            ])
        let (output, _) = try await harness.run(
            "resize:w=100!format:auto",
            on: try await Fixtures.shared().data("landscape.jpg"),
            requestHeaders: headers
        )
        #expect(output.contentType == expected.mediaType)
        #expect(output.headers["vary"] == "Accept")
    }

    @Test func onlyAutoHasAnOutputVariant() throws {
        let pipeline = try ImageHarness.shared().registry.pipeline(for: "resize:w=100!format:webp!quality:50")
        #expect(pipeline.outputVariants(requestHeaders: ["accept": "image/avif,image/webp"]).isEmpty)
    }
}
