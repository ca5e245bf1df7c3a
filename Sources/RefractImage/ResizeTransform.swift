import RefractCore

/// `resize`: scales the image to `w` and/or `h` pixels (1...`max_dimension`).
///
/// - `fit=inside` (the default) fits the image inside the box, aspect ratio kept; `w` or `h` alone sets that side and
///   scales the other. `cover` fills the box and crops the overflow at `gravity`; `fill` stretches to the box;
///   `contain` fits inside and pads to the exact box at `gravity` with `bg`. The last three need both `w` and `h`.
/// - Without `upscale=true` no pixel is enlarged: `inside` and `contain` keep a smaller image at its size (`contain`
///   still pads to the full box); for `cover` and `fill` a box larger than the image shrinks, keeping its aspect
///   ratio, until it fits inside the image (so `cover` of a small image still has the asked-for shape).
/// - `bg` (hex `rgb`, `rrggbb` or `rrggbbaa`) is the colour of `contain` padding and of transparent pixels when the
///   output is JPEG. It defaults to opaque white, as imgproxy flattens transparency; `bg=00000000` pads transparent.
/// - The output's metadata (EXIF, XMP, IPTC, ICC) is stripped unless `strip=false`; the image is always turned
///   upright from its EXIF Orientation first, and a kept Orientation tag then says 1.
///
/// Version: bump when the same parameters give other pixels (a new filter, other rounding).
struct ResizeTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor

    init(engine: ImageEngine) {
        self.engine = engine
        let sides = TransformParameter.Kind.integer(1...engine.limits.maxDimension)
        descriptor = .imageStep(
            name: "resize",
            version: 1,
            summary: "Scales the image to a width and/or height, fitting, covering, stretching or padding the box",
            parameters: [
                TransformParameter(name: "w", kind: sides, summary: "Width in pixels"),
                TransformParameter(name: "h", kind: sides, summary: "Height in pixels"),
                TransformParameter(
                    name: "fit",
                    kind: .choice(Resize.Fit.allCases.map(\.rawValue)),
                    defaultValue: .string(Resize.Fit.inside.rawValue),
                    summary: "inside: fit in the box; cover: fill it and crop; fill: stretch; contain: fit and pad"
                ),
                TransformParameter(
                    name: "gravity",
                    kind: .choice(Gravity.allCases.map(\.rawValue)),
                    defaultValue: .string(Gravity.center.rawValue),
                    summary: "Where cover crops and contain places the image"
                ),
                TransformParameter(
                    name: "upscale",
                    kind: .boolean,
                    defaultValue: .boolean(false),
                    summary: "Whether an image smaller than the box is enlarged"
                ),
                TransformParameter(
                    name: "bg",
                    kind: .string,
                    defaultValue: .string("ffffff"),
                    summary: "Hex rgb, rrggbb or rrggbbaa: contain padding and the backdrop of transparency in JPEG"
                ),
                TransformParameter(
                    name: "strip",
                    kind: .boolean,
                    defaultValue: .boolean(true),
                    summary: "Whether metadata (EXIF, XMP, IPTC, ICC) is removed from the output"
                ),
            ],
            primaryParameter: "w"
        )
    }

    func check(_ parameters: TransformParameters) throws(RefractError) {
        let width = parameters.integer("w")
        let height = parameters.integer("h")
        guard width != nil || height != nil else {
            throw .invalidTransform("resize: give w, h or both")
        }
        let fit = parameters.string("fit") ?? Resize.Fit.inside.rawValue
        guard fit == Resize.Fit.inside.rawValue || (width != nil && height != nil) else {
            throw .invalidTransform("resize: fit=\(fit) needs both w and h")
        }
        let background = parameters.string("bg") ?? ""
        guard BackgroundColor(hex: background) != nil else {
            throw .invalidTransform("resize: bg must be hex rgb, rrggbb or rrggbbaa, got '\(background)'")
        }
    }

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        let resize = Resize(
            width: parameters.integer("w"),
            height: parameters.integer("h"),
            fit: parameters.string("fit").flatMap(Resize.Fit.init) ?? .inside,
            gravity: parameters.string("gravity").flatMap(Gravity.init) ?? .center,
            upscale: parameters.boolean("upscale") ?? false,
            background: parameters.string("bg").flatMap(BackgroundColor.init(hex:)) ?? .white
        )
        recipe.operations.append(.resize(resize))
        recipe.background = resize.background
        if parameters.boolean("strip") == false {
            recipe.keepsMetadata = true
        }
    }
}
