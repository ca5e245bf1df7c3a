import RefractCore

/// `crop`: keeps the `w`×`h` region whose top-left corner is at `x`,`y` (default 0,0), in the pixels of the image as
/// the previous steps left it, upright.
///
/// A region that runs past the image's edge is clamped to it (as ImageMagick's `-crop` and imgproxy do), so a crop
/// never fails for an image smaller than expected; one that starts outside the image is refused (`InvalidTransform`).
///
/// Version: bump when the same parameters give other pixels.
struct CropTransform: ImageStep {
    /// The largest coordinate or side: the largest image any supported format holds.
    private static let coordinates = 0...65_535

    let engine: ImageEngine
    let descriptor: TransformDescriptor

    init(engine: ImageEngine) {
        self.engine = engine
        let origin = TransformParameter.Kind.integer(Self.coordinates)
        let side = TransformParameter.Kind.integer(1...Self.coordinates.upperBound)
        descriptor = .imageStep(
            name: "crop",
            version: 1,
            summary: "Keeps a rectangle of the image, clamped to its edges",
            parameters: [
                TransformParameter(name: "x", kind: origin, defaultValue: .integer(0), summary: "Left edge, pixels"),
                TransformParameter(name: "y", kind: origin, defaultValue: .integer(0), summary: "Top edge, pixels"),
                TransformParameter(name: "w", kind: side, summary: "Width in pixels"),
                TransformParameter(name: "h", kind: side, summary: "Height in pixels"),
            ]
        )
    }

    func check(_ parameters: TransformParameters) throws(RefractError) {
        guard parameters.integer("w") != nil, parameters.integer("h") != nil else {
            throw .invalidTransform("crop: give both w and h")
        }
    }

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        let region = PixelRect(
            x: parameters.integer("x") ?? 0,
            y: parameters.integer("y") ?? 0,
            width: parameters.integer("w") ?? 1,
            height: parameters.integer("h") ?? 1
        )
        recipe.operations.append(.crop(region))
    }
}
