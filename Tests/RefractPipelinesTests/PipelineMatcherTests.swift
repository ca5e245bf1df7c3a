import RefractCore
import RefractPipelines
import Testing

@Suite struct PipelineMatcherTests {
    static func pipelines() throws -> [UploadPipeline] {
        let registry = try TestTransforms.registry()
        return [
            UploadPipeline(
                name: "thumbnails",
                bucket: "photos",
                events: [.put, .delete],
                prefix: "uploads/",
                suffixes: [".jpg", ".png"],
                outputs: [
                    .init(keyTemplate: "resized/480/{key}", pipeline: try registry.pipeline(steps: "upper")),
                    .init(keyTemplate: "{dir}{stem}.small{ext}", pipeline: try registry.pipeline(steps: "upper")),
                ]
            ),
            UploadPipeline(
                name: "everything",
                bucket: "photos",
                outputs: [.init(keyTemplate: "meta/{key}.json", pipeline: try registry.pipeline(steps: "upper"))]
            ),
            UploadPipeline(
                name: "docs",
                bucket: "docs",
                events: [.delete],
                outputs: [.init(keyTemplate: "upper/{key}", pipeline: try registry.pipeline(steps: "upper"))]
            ),
        ]
    }

    func names(_ pipelines: [UploadPipeline]) -> [String] { pipelines.map(\.name) }

    @Test func matchesBucketEventPrefixAndSuffix() throws {
        let matcher = PipelineMatcher(pipelines: try Self.pipelines())
        #expect(
            names(matcher.pipelines(triggeredBy: putEvent("uploads/a.jpg", sequencer: "1"))) == [
                "thumbnails", "everything",
            ])
        #expect(names(matcher.pipelines(triggeredBy: putEvent("uploads/a.gif", sequencer: "1"))) == ["everything"])
        #expect(names(matcher.pipelines(triggeredBy: putEvent("other/a.jpg", sequencer: "1"))) == ["everything"])
        #expect(names(matcher.pipelines(triggeredBy: deleteEvent("uploads/a.png", sequencer: "1"))) == ["thumbnails"])
        #expect(
            names(matcher.pipelines(triggeredBy: putEvent("uploads/a.jpg", sequencer: "1", bucket: "docs"))).isEmpty)
        #expect(names(matcher.pipelines(triggeredBy: deleteEvent("x.txt", sequencer: "1", bucket: "docs"))) == ["docs"])
    }

    @Test func outputsNeverTriggerAPipeline() throws {
        let matcher = PipelineMatcher(pipelines: try Self.pipelines())
        // Keys some pipeline of the bucket could write, even though they match other pipelines.
        for key in ["resized/480/uploads/a.jpg", "uploads/a.small.jpg", "meta/uploads/a.jpg.json"] {
            #expect(matcher.pipelines(triggeredBy: putEvent(key, sequencer: "1")).isEmpty, "\(key)")
            #expect(matcher.pipelines(triggeredBy: deleteEvent(key, sequencer: "1")).isEmpty, "\(key)")
            #expect(matcher.isOutput(bucket: "photos", key: key))
        }
        // Templates of another bucket's pipelines do not count.
        #expect(!matcher.isOutput(bucket: "photos", key: "upper/a.jpg"))
        #expect(matcher.isOutput(bucket: "docs", key: "upper/a.jpg"))
        // An object marked as an output, whatever its key.
        let marked = ["refract-source": "photos/uploads/b.jpg@abc"]
        #expect(matcher.pipelines(triggeredBy: putEvent("uploads/a.jpg", sequencer: "1"), userMetadata: marked).isEmpty)
        #expect(
            names(matcher.pipelines(triggeredBy: putEvent("uploads/a.jpg", sequencer: "1"), userMetadata: ["x": "y"]))
                == ["thumbnails", "everything"])
    }

    @Test func anIdentityTemplateLeavesLoopsToTheMark() throws {
        let registry = try TestTransforms.registry()
        let inPlace = UploadPipeline(
            name: "in-place",
            bucket: "docs",
            outputs: [.init(keyTemplate: "{dir}{name}", pipeline: try registry.pipeline(steps: "upper"))]
        )
        let matcher = PipelineMatcher(pipelines: [inPlace])
        #expect(
            names(matcher.pipelines(triggeredBy: putEvent("a.txt", sequencer: "1", bucket: "docs"))) == ["in-place"])
        #expect(
            matcher.pipelines(
                triggeredBy: putEvent("a.txt", sequencer: "1", bucket: "docs"),
                userMetadata: ["refract-source": "docs/a.txt@abc"]
            ).isEmpty)
    }
}
