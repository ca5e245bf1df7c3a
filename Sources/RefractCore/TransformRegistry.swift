/// The transforms and presets a gateway offers, and the one place suffixes become pipelines.
///
/// Everything is checked when the registry is made (names, parameter declarations, every preset), so a registry
/// that exists only fails a request for what the request itself got wrong.
public struct TransformRegistry: Sendable {
    /// The most transform steps one pipeline runs, once presets are expanded.
    public static let maximumStepCount = 32

    /// Every transform, sorted by name.
    public let transforms: [any Transform]
    /// Preset name -> the pipeline text it stands for (`thumb` -> `resize:w=200,h=200,fit=cover`).
    public let presets: [String: String]
    /// Whether client suffixes may only name presets (`security.only_presets`).
    public let onlyPresets: Bool

    private let transformsByName: [String: any Transform]
    private let presetCalls: [String: [StepCall]]

    /// Makes a registry, checking the transforms' declarations and every preset.
    ///
    /// Fails for two transforms with one name, a malformed parameter declaration, a preset named like a transform
    /// or not a valid step name, a preset that does not parse or validate, and presets that refer to each other in
    /// a cycle.
    public init(
        transforms: [any Transform],
        presets: [String: String] = [:],
        onlyPresets: Bool = false
    ) throws(ConfigurationError) {
        var transformsByName: [String: any Transform] = [:]
        for transform in transforms {
            let descriptor = transform.descriptor
            try Self.check(descriptor)
            guard transformsByName[descriptor.name] == nil else {
                throw ConfigurationError(keyPath: nil, message: "two transforms are named '\(descriptor.name)'")
            }
            transformsByName[descriptor.name] = transform
        }

        var presetCalls: [String: [StepCall]] = [:]
        for (name, text) in presets.sorted(by: { $0.key < $1.key }) {
            guard SuffixParser.isValidStepName(name) else {
                throw ConfigurationError(
                    keyPath: "presets.\(name)",
                    message: "a preset name is lower-case letters, digits, '_' and '-', starting with a letter"
                )
            }
            guard transformsByName[name] == nil else {
                throw ConfigurationError(keyPath: "presets.\(name)", message: "a transform already has this name")
            }
            do {
                presetCalls[name] = try SuffixParser.parse(text)
            } catch {
                throw ConfigurationError(keyPath: "presets.\(name)", message: error.message)
            }
        }
        try Self.checkForCycles(in: presetCalls)

        self.transforms = transformsByName.values.sorted { $0.descriptor.name < $1.descriptor.name }
        self.presets = presets
        self.onlyPresets = onlyPresets
        self.transformsByName = transformsByName
        self.presetCalls = presetCalls

        for (name, text) in presets.sorted(by: { $0.key < $1.key }) {
            do {
                _ = try pipeline(steps: text)
            } catch {
                throw ConfigurationError(keyPath: "presets.\(name)", message: error.message)
            }
        }
    }

    /// The transform with this step name, if any.
    public func transform(named name: String) -> (any Transform)? {
        transformsByName[name]
    }

    /// The pipeline a client's transform suffix asks for (`resize:w=300!format:webp`).
    ///
    /// Parses the suffix, expands presets and validates every argument; with `onlyPresets`, every step of the
    /// suffix must be a preset. Every failure is `InvalidTransform` and says what to fix.
    public func pipeline(for suffix: String) throws(RefractError) -> Pipeline {
        let calls = try SuffixParser.parse(suffix)
        if onlyPresets, let call = calls.first(where: { presetCalls[$0.name] == nil }) {
            throw .invalidTransform("only presets are allowed here, and '\(call.name)' is not one")
        }
        return try pipeline(calls)
    }

    /// The pipeline for steps the operator configured: an access point's or upload pipeline's `pipeline`, a preset.
    ///
    /// The same as ``pipeline(for:)`` except that `onlyPresets` does not apply: it restricts clients, not the
    /// configuration.
    public func pipeline(steps: String) throws(RefractError) -> Pipeline {
        try pipeline(SuffixParser.parse(steps))
    }

    private func pipeline(_ calls: [StepCall]) throws(RefractError) -> Pipeline {
        var steps: [PipelineStep] = []
        try expand(calls, into: &steps)
        return Pipeline(steps: steps)
    }

    private func expand(_ calls: [StepCall], into steps: inout [PipelineStep]) throws(RefractError) {
        for call in calls {
            if let transform = transformsByName[call.name] {
                guard steps.count < Self.maximumStepCount else {
                    throw .invalidTransform("a pipeline runs at most \(Self.maximumStepCount) steps")
                }
                let parameters = try Self.parameters(of: call, for: transform.descriptor)
                try transform.check(parameters)
                steps.append(PipelineStep(transform: transform, parameters: parameters))
            } else if let presetSteps = presetCalls[call.name] {
                guard call.arguments.isEmpty else {
                    throw .invalidTransform("'\(call.name)' is a preset and takes no arguments")
                }
                try expand(presetSteps, into: &steps)
            } else {
                throw .invalidTransform("unknown step '\(call.name)'")
            }
        }
    }
}
