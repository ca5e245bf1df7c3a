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
