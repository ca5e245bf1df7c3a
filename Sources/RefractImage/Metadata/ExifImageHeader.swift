/// What an image's header says about it, read without decoding pixels.
public struct ExifImageHeader: Sendable, Hashable {
    /// The container formats metadata is read from.
    public enum Format: String, Sendable, Hashable {
        case jpeg, png, webp, tiff
    }

    public var format: Format
    /// Pixels across, when the header could be read (JPEG SOFn, PNG IHDR, WebP VP8X/VP8/VP8L, TIFF ImageWidth).
    public var width: Int?
    /// Pixels down, when the header could be read.
    public var height: Int?

    public init(format: Format, width: Int? = nil, height: Int? = nil) {
        self.format = format
        self.width = width
        self.height = height
    }
}

extension ExifImageHeader.Format {
    /// The format whose signature `bytes` (the object's first bytes, up to 12) start with.
    init?(signature bytes: ArraySlice<UInt8>) {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if head.count == 12, head.starts(with: Array("RIFF".utf8)), head[8..<12].elementsEqual("WEBP".utf8) {
            self = .webp
        } else if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            self = .tiff
        } else {
            return nil
        }
    }
}
