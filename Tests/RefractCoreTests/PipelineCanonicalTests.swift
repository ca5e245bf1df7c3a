import RefractCore
import Testing

@Suite struct PipelineCanonicalTests {
    static let presets = ["thumb": "resize:w=200,h=200,fit=cover", "small": "thumb!quality:60"]

    @Test(arguments: [
        ("resize:w=400,h=400,fit=cover!format:auto", "resize:fit=cover,h=400,w=400!format:type=auto"),
        ("grayscale", "grayscale"),
        ("quality:82", "quality"),
        ("blur:sigma=2.50", "blur:sigma=2.5"),
        ("blur:sigma=1e1", "blur:sigma=10"),
        ("translate:fr", "translate:to=fr"),
        ("small", "resize:fit=cover,h=200,w=200!quality:q=60"),
    ])
    func writesTheCanonicalForm(suffix: String, canonical: String) throws {
        #expect(try makeRegistry(presets: Self.presets).pipeline(for: suffix).canonical == canonical)
    }

    @Test(arguments: [
        ("format:webp", "format:type=webp"),
        ("resize:w=300,h=200", "resize:h=200,w=300"),
        ("resize:w=300", "resize:w=300,fit=inside,upscale=false,gravity=center"),
        ("resize:w=300", "resize:w=0300"),
        ("quality", "quality:q=82"),
        ("blur", "blur:sigma=1.5"),
        ("translate:fr", "translate:from=auto,to=fr"),
        ("crop:w=5,h=6", "crop:x=0,h=6,y=0,w=5"),
        ("thumb", "resize:w=200,h=200,fit=cover"),
        ("small!grayscale", "thumb!quality:60!grayscale"),
    ])
    func givesTheSameCanonicalFormToSuffixesThatMeanTheSame(first: String, second: String) throws {
        let registry = try makeRegistry(presets: Self.presets)
        #expect(try registry.pipeline(for: first).canonical == registry.pipeline(for: second).canonical)
    }

    @Test(arguments: [
        ("resize:w=300", "resize:h=300"),
        ("grayscale!resize:w=3", "resize:w=3!grayscale"),
        ("translate:fr", "translate:from=fr"),
        ("resize:w=300,upscale=true", "resize:w=300"),
        ("thumb", "resize:w=200,h=200"),
    ])
    func givesDifferentCanonicalFormsToSuffixesThatDiffer(first: String, second: String) throws {
        let registry = try makeRegistry(presets: Self.presets)
        #expect(try registry.pipeline(for: first).canonical != registry.pipeline(for: second).canonical)
    }

    /// A transform whose parameters take the widest values, to stress how values are written back.
    static let levels = StandInTransform(
        TransformDescriptor(
            name: "levels",
            version: "1",
            summary: "Any number, integer or label.",
            parameters: [
                TransformParameter(name: "offset", kind: .number(-1e300...1e300), summary: "Any number."),
                TransformParameter(
                    name: "shift",
                    kind: .integer(Int.min...Int.max),
                    defaultValue: .integer(0),
                    summary: "Any integer."
                ),
                TransformParameter(name: "label", kind: .string, defaultValue: .string("none"), summary: "A label."),
            ],
            primaryParameter: "label"
        )
    )

    @Test func randomValidPipelinesRoundTripThroughTheirCanonicalForm() throws {
        let registry = try TransformRegistry(
            transforms: StandInTransform.all + [Self.levels],
            presets: Self.presets
        )
        var random = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<2_000 {
            let model = PipelineModel.random(from: registry, using: &random)
            let pipeline = try registry.pipeline(steps: model.render(using: &random))
            let again = try registry.pipeline(for: pipeline.canonical)
            #expect(again.canonical == pipeline.canonical)
            #expect(again.steps.map(\.parameters) == pipeline.steps.map(\.parameters))
            // The same pipeline written another way: other order, bare or keyed primary, defaults spelled out.
            let rewritten = try registry.pipeline(steps: model.render(using: &random))
            #expect(rewritten.canonical == pipeline.canonical, "\(model)")
        }
    }
}

/// A pipeline chosen at random: each step a transform with some valid values, or a preset.
struct PipelineModel: CustomStringConvertible {
    enum Step {
        case transform(TransformDescriptor, [String: String])
        case preset(name: String, text: String)
    }

    var steps: [Step]

    var description: String { "\(steps)" }

    static func random(from registry: TransformRegistry, using random: inout SplitMix64) -> PipelineModel {
        let presets = registry.presets.sorted { $0.key < $1.key }
        let steps = (0..<Int.random(in: 1...5, using: &random)).map { _ -> Step in
            if Int.random(in: 0..<5, using: &random) == 0, let preset = presets.randomElement(using: &random) {
                return .preset(name: preset.key, text: preset.value)
            }
            let descriptor = registry.transforms.randomElement(using: &random)!.descriptor
            var values: [String: String] = [:]
            for parameter in descriptor.parameters where Bool.random(using: &random) {
                values[parameter.name] = randomValue(for: parameter, using: &random)
            }
            return .transform(descriptor, values)
        }
        return PipelineModel(steps: steps)
    }

    /// Writes the pipeline one of the many ways it can be written.
    func render(using random: inout SplitMix64) -> String {
        let texts = steps.map { step -> String in
            switch step {
            case .preset(let name, let text):
                return Bool.random(using: &random) ? name : text
            case .transform(let descriptor, var values):
                for parameter in descriptor.parameters where values[parameter.name] == nil {
                    if let defaultValue = parameter.defaultValue, Bool.random(using: &random) {
                        values[parameter.name] = defaultValue.description
                    }
                }
                let arguments = values.sorted { $0.key < $1.key }.shuffled(using: &random).map { name, value in
                    name == descriptor.primaryParameter && Bool.random(using: &random) ? value : "\(name)=\(value)"
                }
                return arguments.isEmpty ? descriptor.name : "\(descriptor.name):\(arguments.joined(separator: ","))"
            }
        }
        return texts.joined(separator: "!")
    }

    static func randomValue(for parameter: TransformParameter, using random: inout SplitMix64) -> String {
        switch parameter.kind {
        case .integer(let range):
            let value = Int.random(in: range, using: &random)
            return Int.random(in: 0..<4, using: &random) == 0 && value >= 0 ? "00\(value)" : String(value)
        case .number(let range):
            while true {
                // Any bit pattern: every magnitude, subnormals included, to test how numbers are written back.
                let candidate =
                    Bool.random(using: &random)
                    ? Double(bitPattern: random.next()) : Double.random(in: range, using: &random)
                if candidate.isFinite, range.contains(candidate) { return String(candidate) }
            }
        case .boolean:
            return String(Bool.random(using: &random))
        case .string:
            let characters = Array("abcXYZ019.-_#+/~")
            let length = Int.random(in: 1...8, using: &random)
            return String((0..<length).map { _ in characters.randomElement(using: &random)! })
        case .choice(let choices):
            return choices.randomElement(using: &random)!
        }
    }
}
