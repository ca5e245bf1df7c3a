/// Walks a PNG's chunks up to the image data for the size (IHDR) and the EXIF block (`eXIf`).
///
/// The walk stops at the first IDAT: the PNG specification puts `eXIf` before the image data, and going past it would
/// mean reading a header every few kilobytes of a large image.
enum PNGChunkScanner {
    static let mostChunks = 4096

    static func scan(_ bytes: SparseObjectBytes) throws(ByteAccessError) -> ExifContainerLayout {
        var layout = ExifContainerLayout(format: .png)
        var position = 8
        for _ in 0..<mostChunks {
            guard let header = try bytes.bytesIfInObject(position..<(position + 8)) else { break }
            let length = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: header[4..<8], as: UTF8.self)
            guard length <= 0x7FFF_FFFF else { break }
            let data = (position + 8)..<(position + 8 + length)
            switch type {
            case "IHDR":
                if let size = try bytes.bytesIfInObject(data.lowerBound..<(data.lowerBound + 8)) {
                    layout.header.width = size[0..<4].reduce(0) { $0 << 8 | Int($1) }
                    layout.header.height = size[4..<8].reduce(0) { $0 << 8 | Int($1) }
                }
            case "eXIf" where layout.exifBlock == nil:
                try layout.recordExifBlock(data, in: bytes)
            case "IDAT", "IEND":
                return layout
            default:
                break
            }
            position = data.upperBound + 4
        }
        return layout
    }
}
