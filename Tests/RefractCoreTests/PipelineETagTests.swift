import RefractCore
import Testing

@Suite struct PipelineETagTests {
    static let sourceETag = "\"9b2cf535f27731c974343645a3985328\""

    @Test func isAStrongQuotedTagThatStaysTheSame() throws {
        let registry = try makeRegistry()
        let pipeline = try registry.pipeline(for: "resize:w=300!format:webp")
        let etag = pipeline.etag(sourceETag: Self.sourceETag, payload: nil)
        #expect(etag.wholeMatch(of: /"rf-[0-9a-f]{32}"/) != nil, "\(etag)")
        let again = try makeRegistry().pipeline(for: "resize:w=300!format:webp")
        #expect(again.etag(sourceETag: Self.sourceETag, payload: nil) == etag)
    }

    @Test func isTheSameForSuffixesThatMeanTheSame() throws {
        let registry = try makeRegistry(presets: ["thumb": "resize:w=200,h=200,fit=cover"])
        let tags = try ["thumb", "resize:fit=cover,h=200,w=200", "resize:h=200,w=200,fit=cover,upscale=false"].map {
            try registry.pipeline(for: $0).etag(sourceETag: Self.sourceETag, payload: "{}")
        }
        #expect(Set(tags).count == 1)
    }

    @Test func changesWithEachInput() throws {
        let registry = try makeRegistry()
        let pipeline = try registry.pipeline(for: "resize:w=300")
        // A blur whose output changed: same name and parameters, a new version.
        let newBlur = StandInTransform(
            TransformDescriptor(
                name: "blur",
                version: "3",
                summary: "Gaussian blur.",
                parameters: StandInTransform.blur.descriptor.parameters,
                accepts: StandInTransform.blur.descriptor.accepts
            )
        )
        let tags = [
            pipeline.etag(sourceETag: Self.sourceETag, payload: nil),
            pipeline.etag(sourceETag: "\"9b2cf535f27731c974343645a3985329\"", payload: nil),
            pipeline.etag(sourceETag: "9b2cf535f27731c974343645a3985328", payload: nil),
            pipeline.etag(sourceETag: Self.sourceETag, payload: ""),
            pipeline.etag(sourceETag: Self.sourceETag, payload: "{\"any\":\"json\"}"),
            try registry.pipeline(for: "resize:w=301").etag(sourceETag: Self.sourceETag, payload: nil),
            try registry.pipeline(for: "resize:w=300!grayscale").etag(sourceETag: Self.sourceETag, payload: nil),
            try registry.pipeline(for: "blur").etag(sourceETag: Self.sourceETag, payload: nil),
            try TransformRegistry(transforms: [newBlur]).pipeline(for: "blur").etag(
                sourceETag: Self.sourceETag,
                payload: nil
            ),
        ]
        #expect(Set(tags).count == tags.count, "\(tags)")
    }

    @Test func keepsFieldsApart() throws {
        let registry = try makeRegistry()
        let pipeline = try registry.pipeline(for: "grayscale")
        // Moving text between the source ETag and the payload must not give the same bytes to hash.
        #expect(
            pipeline.etag(sourceETag: "ab", payload: "c") != pipeline.etag(sourceETag: "a", payload: "bc")
        )
        #expect(pipeline.etag(sourceETag: "a", payload: nil) != pipeline.etag(sourceETag: "a", payload: "no-payload"))
    }
}
