import RefractCore
import Testing

@Suite struct ParameterTests {
    @Test(arguments: [
        "resize", "resize:fit=cover", "resize:w=100,fit=cover", "resize:h=100,fit=contain", "resize:w=100,fit=fill",
        "resize:w=0", "resize:w=8193", "resize:w=100,bg=red", "resize:w=100,bg=ff00f", "resize:w=100,fit=stretch",
        "resize:w=100,gravity=top", "crop:w=10", "crop:x=-1,w=10,h=10", "rotate", "rotate:45", "format", "format:bmp",
        "quality:0", "quality:101", "blur:0", "blur:51", "sharpen:11",
    ])
    func invalidStepsAreRefusedWhenThePipelineIsMade(_ suffix: String) throws {
        let registry = try ImageHarness.shared().registry
        let error = #expect(throws: RefractError.self) { try registry.pipeline(for: suffix) }
        #expect(error?.s3Code == "InvalidTransform")
    }

    @Test func everyImageStepIsFusibleAndVersioned() throws {
        let registry = try ImageHarness.shared().registry
        let names = registry.transforms.map(\.descriptor.name)
        #expect(names == ["blur", "crop", "format", "grayscale", "quality", "resize", "rotate", "sharpen"])
        for transform in registry.transforms {
            #expect((transform as? any FusibleTransform)?.family == "image")
            #expect(transform.descriptor.accepts == ["image/*"])
            #expect(!transform.descriptor.version.isEmpty && !transform.descriptor.summary.isEmpty)
        }
    }

    @Test func defaultsStayOutOfTheCanonicalForm() throws {
        let registry = try ImageHarness.shared().registry
        let spelledOut = try registry.pipeline(
            for: "resize:w=300,fit=inside,gravity=center,upscale=false,bg=ffffff,strip=true!quality:82!format:webp"
        )
        #expect(spelledOut.canonical == "resize:w=300!quality!format:type=webp")
        #expect(
            try registry.pipeline(for: "resize:300!format:type=webp!quality").canonical
                == "resize:w=300!format:type=webp!quality")
    }
}
