import NIOCore
import RefractCore
import Testing

@Suite struct PipelineFusionTests {
    private func registry() throws -> TransformRegistry {
        try TransformRegistry(
            transforms: [
                LetterTransform(letter: "a"), LetterTransform(letter: "b"), LetterTransform(letter: "c"),
                UppercaseTransform(), PickTransform(),
            ],
            presets: ["ab": "a!b"]
        )
    }

    private func run(_ suffix: String) async throws -> String {
        let output = try await registry().pipeline(for: suffix).run(textInput(["x"]), context: makeContext())
        return try await chunks(of: output.body).joined()
    }

    @Test func adjacentStepsOfOneFamilyRunAsOneUnit() async throws {
        #expect(try await run("a!b!c") == "x(a b c)")
        #expect(try await run("c!a") == "x(c a)")
        #expect(try await run("a") == "x(a)")
    }

    @Test func anotherStepBetweenSplitsTheUnits() async throws {
        #expect(try await run("a!uppercase!b!c") == "X(A)(b c)")
    }

    @Test func presetsFuseWithTheirNeighbours() async throws {
        #expect(try await run("ab!c") == "x(a b c)")
    }

    @Test func checkRefusesAWholeStepWhenThePipelineIsMade() throws {
        #expect(throws: RefractError.invalidTransform("pick needs two choices or more")) {
            try registry().pipeline(for: "pick:from=x")
        }
        #expect(throws: Never.self) { try registry().pipeline(for: "pick:from=x+y") }
    }

    @Test func variantsComeFromTheRequestHeadersAndChangeTheETag() throws {
        let pipeline = try registry().pipeline(for: "a!pick:x+y")
        let chooseX = pipeline.outputVariants(requestHeaders: ["x-pick": "x"])
        let chooseY = pipeline.outputVariants(requestHeaders: ["x-pick": "y"])
        #expect(chooseX == [OutputVariant(requestHeader: "x-pick", value: "x")])
        #expect(pipeline.outputVariants(requestHeaders: [:]) == [OutputVariant(requestHeader: "x-pick", value: "none")])

        let etagX = pipeline.etag(sourceETag: "\"s\"", payload: nil, variants: chooseX)
        #expect(etagX == pipeline.etag(sourceETag: "\"s\"", payload: nil, variants: chooseX))
        #expect(etagX != pipeline.etag(sourceETag: "\"s\"", payload: nil, variants: chooseY))
        #expect(etagX != pipeline.etag(sourceETag: "\"s\"", payload: nil))
        #expect(try registry().pipeline(for: "a").outputVariants(requestHeaders: ["x-pick": "x"]).isEmpty)
    }
}

@Suite struct SourceRangesTests {
    /// Says whether its input came with ranged reads of the source, and reads the range 1..<3 when it did.
    struct RangeProbe: Transform {
        var descriptor: TransformDescriptor { TransformDescriptor(name: "probe", version: "1", summary: "Probe.") }

        func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
            let text: String
            if let ranges = input.sourceRanges {
                text = try await "ranges:" + String(buffer: ranges.read(1..<3))
            } else {
                text = try await "body:" + String(buffer: input.body.collect(upTo: 100, tooLarge: .sourceTooLarge("")))
            }
            return TransformOutput(body: ObjectBody(buffer: ByteBuffer(string: text)), contentType: "text/plain")
        }
    }

    @Test func onlyTheFirstUnitGetsRangedReadsOfTheSource() async throws {
        let registry = try TransformRegistry(transforms: [RangeProbe(), UppercaseTransform()])
        let source = "abcdef"
        let ranges = SourceRanges(objectLength: source.utf8.count) { range in
            ByteBuffer(bytes: Array(source.utf8)[range])
        }
        var input = textInput([source])
        input.sourceRanges = ranges
        let first = try await registry.pipeline(for: "probe").run(input, context: makeContext())
        #expect(try await chunks(of: first.body).joined() == "ranges:bc")
        let later = try await registry.pipeline(for: "uppercase!probe").run(input, context: makeContext())
        #expect(try await chunks(of: later.body).joined() == "body:ABCDEF")
    }

    @Test func readsAreClampedToTheObject() async throws {
        let ranges = SourceRanges(objectLength: 4) { range in ByteBuffer(bytes: Array(repeating: 7, count: range.count))
        }
        #expect(try await ranges.read(2..<100).readableBytes == 2)
        #expect(try await ranges.read(10..<20).readableBytes == 0)
    }
}
