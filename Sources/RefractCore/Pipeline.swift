/// A validated sequence of transform steps, made by ``TransformRegistry``.
///
/// Two suffixes that mean the same (a bare or a keyed primary value, arguments in another order, defaults spelled
/// out, a preset or its expansion) give pipelines with the same ``canonical`` text, and so the same ETag.
public struct Pipeline: Sendable {
    /// The steps in order, presets expanded.
    public let steps: [PipelineStep]
    /// The steps' canonical texts joined by `!`; parsing it again gives the same pipeline.
    public let canonical: String

    init(steps: [PipelineStep]) {
        self.steps = steps
        self.canonical = steps.map(\.canonical).joined(separator: "!")
    }
}
