import RefractCore

/// `grayscale`: converts the image to shades of grey (encoded as a one-channel image where the format has one).
///
/// Version: bump when the output changes.
struct GrayscaleTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor = .imageStep(
        name: "grayscale",
        version: 1,
        summary: "Converts the image to shades of grey"
    )

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        recipe.operations.append(.grayscale)
    }
}
