/// What a run of adjacent image steps asks for: the operations, in order, and how to encode the result.
struct ImageRecipe: Sendable, Equatable {
    /// The format asked for by a `format` step.
    enum Output: Sendable, Equatable {
        /// The source's own format (no `format` step).
        case source
        case fixed(ImageFormat)
        /// `format:auto`: the formats the client accepts, best first; the source's format when none fits.
        case negotiated([ImageFormat])
    }

    var operations: [ImageOperation] = []
    var output = Output.source
    /// 1...100, for the lossy encoders.
    var quality = 82
    /// Whether EXIF, XMP, IPTC and ICC data are kept (`resize:strip=false`); stripped by default.
    var keepsMetadata = false
    /// The colour transparent pixels are laid on when the output is JPEG.
    var background = BackgroundColor.white

    /// The format the result is encoded in, for a source of `sourceFormat`, animated when `isAnimated`.
    ///
    /// A negotiated format that cannot hold an animation is skipped for an animated source (AVIF as ImageMagick 6
    /// writes it is a still image), so that `format:auto` never freezes an animation the source format would keep.
    func outputFormat(sourceFormat: ImageFormat, isAnimated: Bool) -> ImageFormat {
        switch output {
        case .source:
            return sourceFormat.defaultOutput
        case .fixed(let format):
            return format
        case .negotiated(let candidates):
            let fitting = candidates.first { !isAnimated || $0.isAnimatable }
            return fitting ?? sourceFormat.defaultOutput
        }
    }
}
