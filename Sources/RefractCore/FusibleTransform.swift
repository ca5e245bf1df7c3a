/// A transform whose adjacent steps of one family run as a single unit.
///
/// Image steps are the reason: `resize!grayscale!format:webp` decodes once, applies each operation to the decoded
/// pixels and encodes once, instead of an encode and a decode between every two steps. ``Pipeline/run(_:context:)``
/// hands a run of adjacent steps of one family to the first step's transform.
public protocol FusibleTransform: Transform {
    /// Adjacent steps whose transforms name the same family run together.
    var family: String { get }

    /// Runs `steps`, adjacent steps of this transform's family in pipeline order, on one input.
    ///
    /// `context.parameters` is the first step's; each step carries its own in `PipelineStep.parameters`.
    func apply(steps: [PipelineStep], to input: TransformInput, context: TransformContext) async throws
        -> TransformOutput
}

extension FusibleTransform {
    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        try await apply(
            steps: [PipelineStep(transform: self, parameters: context.parameters)],
            to: input,
            context: context
        )
    }
}
