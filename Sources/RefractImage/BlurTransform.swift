import RefractCore

/// `blur:sigma=`: a Gaussian blur of standard deviation `sigma` pixels (0.1...50, default 2).
///
/// The cost grows with the sigma (the kernel spans about 3 sigma each way), hence the cap.
/// Version: bump when the same sigma gives other pixels.
struct BlurTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor = .imageStep(
        name: "blur",
        version: 1,
        summary: "Gaussian blur",
        parameters: [
            TransformParameter(
                name: "sigma",
                kind: .number(0.1...50),
                defaultValue: .number(2),
                summary: "Standard deviation of the blur, pixels"
            )
        ],
        primaryParameter: "sigma"
    )

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        recipe.operations.append(.blur(sigma: parameters.number("sigma") ?? 2))
    }
}
