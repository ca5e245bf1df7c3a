import RefractCore

/// `format:TYPE`: encodes the output as `jpeg`, `png`, `webp`, `gif`, `avif` (offered when ImageMagick has the AVIF
/// coder) or `auto`.
///
/// `auto` picks AVIF when the request's `Accept` names `image/avif` (and the library has it), else WebP when it names
/// `image/webp`, else the source's format; the response then carries `Vary: Accept`. Only the header decides, so the
/// choice is known before the source is read (``outputVariant(parameters:requestHeaders:)``), with one exception that
/// depends on the source alone: an animated source skips AVIF (ImageMagick 6 writes still AVIF only).
/// Without a `format` step the output keeps the source's format, except HEIC, which becomes JPEG.
///
/// Version: bump when the same choice gives other bytes.
struct FormatTransform: ImageStep {
    let engine: ImageEngine
    let descriptor: TransformDescriptor

    init(engine: ImageEngine) {
        self.engine = engine
        descriptor = .imageStep(
            name: "format",
            version: 1,
            summary: "Encodes the image as JPEG, PNG, WebP, GIF or AVIF, or as the best the client accepts (auto)",
            parameters: [
                TransformParameter(
                    name: "type",
                    kind: .choice(engine.availableFormats + ["auto"]),
                    summary: "The output format, or auto: AVIF or WebP when Accept names it, else the source's"
                )
            ],
            primaryParameter: "type"
        )
    }

    func check(_ parameters: TransformParameters) throws(RefractError) {
        guard parameters.string("type") != nil else {
            throw .invalidTransform(
                "format: give type, one of \((engine.availableFormats + ["auto"]).joined(separator: ", "))")
        }
    }

    func outputVariant(parameters: TransformParameters, requestHeaders: [String: String]) -> OutputVariant? {
        guard parameters.string("type") == "auto" else { return nil }
        return FormatNegotiation.variant(accept: requestHeaders["accept"], hasAVIF: engine.hasAVIF)
    }

    func add(_ parameters: TransformParameters, to recipe: inout ImageRecipe, requestHeaders: [String: String]) {
        let type = parameters.string("type") ?? "auto"
        if let format = ImageFormat(rawValue: type) {
            recipe.output = .fixed(format)
        } else {
            let candidates = FormatNegotiation.candidates(accept: requestHeaders["accept"], hasAVIF: engine.hasAVIF)
            recipe.output = .negotiated(candidates)
        }
    }
}
