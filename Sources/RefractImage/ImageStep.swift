import RefractCore

/// An image transform step. Adjacent image steps run as one unit: the source is decoded once, every step's operation
/// is applied to its pixels in order, and the result is encoded once (SPEC §1.2).
protocol ImageStep: FusibleTransform {
    var engine: ImageEngine { get }

    /// Adds what this step asks for, with its validated `parameters`, to the unit's recipe.
    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String])
}

extension ImageStep {
    var family: String { "image" }

    func apply(steps: [PipelineStep], to input: TransformInput, context: TransformContext) async throws
        -> TransformOutput
    {
        var recipe = ImageRecipe()
        for step in steps {
            guard let imageStep = step.transform as? any ImageStep else {
                throw RefractError.internalError("\(step.name) is not an image step but ran with them.")
            }
            imageStep.add(step.parameters, to: &recipe, requestHeaders: context.requestHeaders)
        }
        return try await engine.process(input, recipe: recipe, context: context)
    }
}

extension TransformDescriptor {
    /// A descriptor for an image step: accepts `image/*`, versioned with the ImageMagick release, whose encoders
    /// decide the output bytes as much as the step does.
    static func imageStep(
        name: String,
        version: Int,
        summary: String,
        parameters: [TransformParameter] = [],
        primaryParameter: String? = nil
    ) -> TransformDescriptor {
        TransformDescriptor(
            name: name,
            version: "\(version)+im\(MagickLibrary.shared.version)",
            summary: summary,
            parameters: parameters,
            primaryParameter: primaryParameter,
            accepts: ["image/*"]
        )
    }
}
