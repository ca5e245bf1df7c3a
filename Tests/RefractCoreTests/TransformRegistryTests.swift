import RefractCore
import Testing

@Suite struct TransformRegistryTests {
    @Test func listsTransformsSortedAndFindsThemByName() throws {
        let registry = try makeRegistry()
        let names = registry.transforms.map(\.descriptor.name)
        #expect(names == names.sorted())
        #expect(names.contains("resize"))
        #expect(registry.transform(named: "resize")?.descriptor.version == "1")
        #expect(registry.transform(named: "thumb") == nil)
    }

    @Test func fillsInDefaultsAndReadsBareValuesAsThePrimaryParameter() throws {
        let pipeline = try makeRegistry().pipeline(for: "resize:w=300!format:webp!quality!blur:sigma=2.5")
        #expect(pipeline.steps.map(\.name) == ["resize", "format", "quality", "blur"])
        let resize = pipeline.steps[0].parameters
        #expect(resize.integer("w") == 300)
        #expect(resize["h"] == nil)
        #expect(resize.string("fit") == "inside")
        #expect(resize.string("gravity") == "center")
        #expect(resize.boolean("upscale") == false)
        #expect(pipeline.steps[1].parameters.string("type") == "webp")
        #expect(pipeline.steps[2].parameters.integer("q") == 82)
        #expect(pipeline.steps[3].parameters.number("sigma") == 2.5)
    }

    @Test(arguments: [
        ("crop:x=1", "crop: parameter 'x' given"),
        ("resize:upscale=true", "resize: upscale true"),
        ("rotate:270", "rotate: deg 270"),
        ("blur:sigma=0.3", "blur: sigma at its lower bound"),
        ("blur:sigma=1000", "blur: sigma at its upper bound"),
        ("blur:sigma=1e2", "blur: sigma with an exponent"),
        ("resize:w=8192,h=1", "resize: w and h at their bounds"),
        ("translate:to=pt-BR,from=en", "translate: both"),
        ("exif:gps=false", "exif: boolean"),
    ])
    func acceptsValidArguments(suffix: String, comment: String) throws {
        _ = try makeRegistry().pipeline(for: suffix)
    }

    @Test(arguments: [
        ("foo", "unknown step 'foo'"),
        ("resize:w=300!sepia", "unknown step 'sepia'"),
        ("resize:x=1", "resize: unknown parameter 'x' (its parameters are w, h, fit, gravity, upscale, bg)"),
        ("grayscale:x=1", "grayscale: unknown parameter 'x' (it takes no parameters)"),
        ("resize:300", "resize: the value '300' needs a parameter name (resize has no primary parameter"),
        ("resize:w=300,w=400", "resize: parameter 'w' is given more than once"),
        ("format:webp,type=png", "format: parameter 'type' is given more than once"),
        ("resize:w=abc", "resize: parameter 'w' must be an integer in 1...8192, got 'abc'"),
        ("resize:w=0", "resize: parameter 'w' must be an integer in 1...8192, got '0'"),
        ("resize:w=8193", "resize: parameter 'w' must be an integer in 1...8192, got '8193'"),
        ("resize:w=1.5", "resize: parameter 'w' must be an integer in 1...8192, got '1.5'"),
        ("resize:w=99999999999999999999999", "resize: parameter 'w' must be an integer in 1...8192"),
        ("resize:fit=stretch", "resize: parameter 'fit' must be one of inside, cover, fill, contain, got 'stretch'"),
        ("resize:fit=COVER", "resize: parameter 'fit' must be one of inside, cover, fill, contain, got 'COVER'"),
        ("resize:upscale=yes", "resize: parameter 'upscale' must be true or false, got 'yes'"),
        ("resize:upscale=1", "resize: parameter 'upscale' must be true or false, got '1'"),
        ("blur:sigma=0.1", "blur: parameter 'sigma' must be a number in 0.3...1000, got '0.1'"),
        ("blur:sigma=1e400", "blur: parameter 'sigma' must be a number in 0.3...1000, got '1e400'"),
        ("blur:sigma=nan", "blur: parameter 'sigma' must be a number in 0.3...1000, got 'nan'"),
        ("blur:sigma=inf", "blur: parameter 'sigma' must be a number in 0.3...1000, got 'inf'"),
        ("blur:sigma=0x1p3", "blur: parameter 'sigma' must be a number in 0.3...1000, got '0x1p3'"),
        ("rotate:45", "rotate: parameter 'deg' must be one of 90, 180, 270, got '45'"),
        ("quality:q=101", "quality: parameter 'q' must be an integer in 1...100, got '101'"),
        ("format:bmp", "format: parameter 'type' must be one of jpeg, png, webp, gif, auto, got 'bmp'"),
    ])
    func refusesWithAMessageNamingStepAndParameter(suffix: String, message: String) throws {
        let registry = try makeRegistry()
        let error = #expect(throws: RefractError.self) { try registry.pipeline(for: suffix) }
        #expect(error?.s3Code == "InvalidTransform")
        #expect(error?.httpStatus == 400)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func refusesMoreStepsThanTheLimit() throws {
        let registry = try makeRegistry()
        let limit = TransformRegistry.maximumStepCount
        _ = try registry.pipeline(for: Array(repeating: "grayscale", count: limit).joined(separator: "!"))
        let error = #expect(throws: RefractError.self) {
            try registry.pipeline(for: Array(repeating: "grayscale", count: limit + 1).joined(separator: "!"))
        }
        #expect(error?.message == "a pipeline runs at most \(limit) steps")
    }
}

@Suite struct PresetTests {
    static let presets = [
        "thumb": "resize:w=200,h=200,fit=cover",
        "small-webp": "thumb!format:webp",
        "gallery": "small-webp!quality:70",
    ]

    @Test func expandsNestedPresets() throws {
        let registry = try makeRegistry(presets: Self.presets)
        #expect(registry.presets == Self.presets)
        let pipeline = try registry.pipeline(for: "gallery!grayscale")
        #expect(pipeline.steps.map(\.name) == ["resize", "format", "quality", "grayscale"])
        #expect(pipeline.canonical == "resize:fit=cover,h=200,w=200!format:type=webp!quality:q=70!grayscale")
    }

    @Test func refusesArgumentsToAPreset() throws {
        let registry = try makeRegistry(presets: Self.presets)
        let error = #expect(throws: RefractError.self) { try registry.pipeline(for: "thumb:w=100") }
        #expect(error?.message == "'thumb' is a preset and takes no arguments")
    }

    @Test(arguments: [
        (["a": "b", "b": "grayscale!a"], "presets.a: presets refer to each other in a cycle: a -> b -> a"),
        (["loop": "grayscale!loop"], "presets.loop: presets refer to each other in a cycle: loop -> loop"),
        (
            ["a": "b", "b": "c", "c": "grayscale!b", "d": "a"],
            "presets.b: presets refer to each other in a cycle: b -> c -> b"
        ),
        (["resize": "grayscale"], "presets.resize: a transform already has this name"),
        (["Thumb": "grayscale"], "presets.Thumb: a preset name is lower-case letters"),
        (["thumb": "resize:"], "presets.thumb: step 1 'resize:': empty argument list"),
        (["thumb": ""], "presets.thumb: step 1 is empty"),
        (["thumb": "resize:w=0"], "presets.thumb: resize: parameter 'w' must be an integer in 1...8192, got '0'"),
        (["thumb": "sepia"], "presets.thumb: unknown step 'sepia'"),
        (["a": "thumb:w=1", "thumb": "grayscale"], "presets.a: 'thumb' is a preset and takes no arguments"),
        (
            ["a": "b!b", "b": "c!c", "c": "d!d", "d": "e!e", "e": "f!f", "f": "g!g", "g": "grayscale"],
            "presets.a: a pipeline runs at most 32 steps"
        ),
    ])
    func refusesBadPresets(presets: [String: String], message: String) {
        let error = #expect(throws: TransformRegistry.ConfigurationError.self) {
            try makeRegistry(presets: presets)
        }
        #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "no error")")
    }

    @Test func onlyPresetsRefusesAnyOtherStepInASuffix() throws {
        let registry = try makeRegistry(presets: Self.presets, onlyPresets: true)
        let thumb = try registry.pipeline(for: "thumb")
        #expect(thumb.canonical == "resize:fit=cover,h=200,w=200")
        _ = try registry.pipeline(for: "gallery!thumb")
        for suffix in ["resize:w=200,h=200,fit=cover", "thumb!grayscale", "sepia"] {
            let error = #expect(throws: RefractError.self) { try registry.pipeline(for: suffix) }
            #expect(error?.s3Code == "InvalidTransform")
            #expect(error?.message.hasPrefix("only presets are allowed here") == true)
        }
        // The operator's own pipelines (access points, upload pipelines) are not restricted.
        #expect(try registry.pipeline(steps: "resize:w=200,h=200,fit=cover").canonical == thumb.canonical)
    }
}

@Suite struct TransformDeclarationTests {
    static func descriptor(
        name: String = "stamp",
        parameters: [TransformParameter] = [],
        primaryParameter: String? = nil
    ) -> StandInTransform {
        StandInTransform(
            TransformDescriptor(
                name: name,
                version: "1",
                summary: "Stamps.",
                parameters: parameters,
                primaryParameter: primaryParameter
            )
        )
    }

    @Test func refusesTwoTransformsWithOneName() {
        let error = #expect(throws: TransformRegistry.ConfigurationError.self) {
            try TransformRegistry(transforms: [StandInTransform.resize, StandInTransform.crop, StandInTransform.resize])
        }
        #expect(error?.keyPath == nil)
        #expect(error?.message == "two transforms are named 'resize'")
    }

    @Test(arguments: [
        (descriptor(name: "Stamp"), "transform 'Stamp': the name is not lower-case letters"),
        (
            descriptor(parameters: [TransformParameter(name: "Size", kind: .string, summary: "")]),
            "transform 'stamp': parameter 'Size' is not lower-case letters"
        ),
        (
            descriptor(parameters: [
                TransformParameter(name: "size", kind: .string, summary: ""),
                TransformParameter(name: "size", kind: .boolean, summary: ""),
            ]),
            "transform 'stamp': parameter 'size' is declared twice"
        ),
        (
            descriptor(parameters: [
                TransformParameter(name: "q", kind: .integer(1...100), defaultValue: .integer(0), summary: "")
            ]),
            "transform 'stamp': the default '0' of parameter 'q' is not an integer in 1...100"
        ),
        (
            descriptor(parameters: [
                TransformParameter(name: "q", kind: .number(0...1), defaultValue: .integer(1), summary: "")
            ]),
            "transform 'stamp': the default '1' of parameter 'q' is not a number in 0...1"
        ),
        (
            descriptor(parameters: [
                TransformParameter(name: "fit", kind: .choice(["a", "b"]), defaultValue: .string("c"), summary: "")
            ]),
            "transform 'stamp': the default 'c' of parameter 'fit' is not one of a, b"
        ),
        (descriptor(primaryParameter: "text"), "transform 'stamp': the primary parameter 'text' is not one of"),
    ])
    func refusesMalformedDeclarations(transform: StandInTransform, message: String) {
        let error = #expect(throws: TransformRegistry.ConfigurationError.self) {
            try TransformRegistry(transforms: [transform])
        }
        #expect(error?.keyPath == nil)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }
}
