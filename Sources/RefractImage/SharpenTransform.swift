import RefractCore

/// `sharpen:sigma=`: an unsharp mask of radius `sigma` pixels (0.1...10, default 1) at full strength.
///
/// Version: bump when the same sigma gives other pixels.
struct SharpenTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor = .imageStep(
        name: "sharpen",
        version: 1,
        summary: "Sharpens the image with an unsharp mask",
        parameters: [
            TransformParameter(
                name: "sigma",
                kind: .number(0.1...10),
                defaultValue: .number(1),
                summary: "Standard deviation of the mask's blur, pixels"
            )
        ],
        primaryParameter: "sigma"
    )

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        recipe.operations.append(.sharpen(sigma: parameters.number("sigma") ?? 1))
    }
}
