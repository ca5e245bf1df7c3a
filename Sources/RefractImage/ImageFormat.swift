/// An image format the engine decodes or encodes.
enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg
    case png
    case webp
    case gif
    case tiff
    case avif
    case heic

    /// The ImageMagick coder that reads and writes it, set explicitly so that no other coder is ever chosen.
    var coder: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .webp: "WEBP"
        case .gif: "GIF"
        case .tiff: "TIFF"
        case .avif: "AVIF"
        case .heic: "HEIC"
        }
    }

    var mediaType: String { "image/\(rawValue)" }

    /// Whether the format holds several frames the engine keeps (an animation); a multi-page TIFF is not one.
    var isAnimatable: Bool { self == .gif || self == .webp }

    /// Whether the encoder takes a quality (`quality:q=`); for PNG, ImageMagick's "quality" means zlib settings.
    var isLossy: Bool {
        switch self {
        case .jpeg, .webp, .avif, .heic: true
        case .png, .gif, .tiff: false
        }
    }

    /// Whether the format keeps an alpha channel; else transparent pixels are laid on the background colour.
    var hasAlpha: Bool { self != .jpeg }

    /// What a source of this format is encoded as when no `format` step says otherwise: itself, except HEIC, which
    /// browsers do not show and whose encoder (x265) is often missing.
    var defaultOutput: ImageFormat { self == .heic ? .jpeg : self }
}
