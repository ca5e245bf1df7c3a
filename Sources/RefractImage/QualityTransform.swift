import RefractCore

/// `quality:q`: the encoder quality of JPEG, WebP and AVIF output, 1...100 (82 when no step sets it). Lossless
/// outputs (PNG, GIF, TIFF) ignore it.
///
/// Version: bump when the same quality gives other bytes.
struct QualityTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor = .imageStep(
        name: "quality",
        version: 1,
        summary: "Encoder quality of JPEG, WebP and AVIF output",
        parameters: [
            TransformParameter(
                name: "q",
                kind: .integer(1...100),
                defaultValue: .integer(82),
                summary: "1 (smallest) to 100 (best)"
            )
        ],
        primaryParameter: "q"
    )

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        recipe.quality = parameters.integer("q") ?? 82
    }
}
