import RefractCore

/// `rotate:90|180|270`: turns the image clockwise by a quarter, a half or three quarters.
///
/// Version: bump when the same parameters give other pixels.
struct RotateTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor = .imageStep(
        name: "rotate",
        version: 1,
        summary: "Turns the image clockwise by 90, 180 or 270 degrees",
        parameters: [
            TransformParameter(name: "deg", kind: .choice(["90", "180", "270"]), summary: "Degrees, clockwise")
        ],
        primaryParameter: "deg"
    )

    func check(_ parameters: TransformParameters) throws(RefractError) {
        guard parameters.string("deg") != nil else {
            throw .invalidTransform("rotate: give deg, 90, 180 or 270 (rotate:90)")
        }
    }

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        recipe.operations.append(.rotate(degrees: parameters.string("deg").flatMap { Int($0) } ?? 0))
    }
}
