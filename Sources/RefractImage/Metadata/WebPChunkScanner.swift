/// Walks a WebP's RIFF chunks for the canvas size (VP8X, or the VP8/VP8L bitstream header) and the `EXIF` chunk.
///
/// Chunk payloads are skipped by their sizes; the walk ends when VP8X says there is no EXIF, once the EXIF chunk is
/// found, or at the end of the RIFF data.
enum WebPChunkScanner {
    static let mostChunks = 4096

    static func scan(_ bytes: SparseObjectBytes) throws(ByteAccessError) -> ExifContainerLayout {
        var layout = ExifContainerLayout(format: .webp)
        let riffSize = try bytes.bytesIfInObject(4..<8)?.reversed().reduce(0) { $0 << 8 | Int($1) } ?? 0
        let riffEnd = min(8 + riffSize, bytes.objectLength)
        var position = 12
        var hasCanvas = false
        for _ in 0..<mostChunks {
            guard position + 8 <= riffEnd, let header = try bytes.bytesIfInObject(position..<(position + 8)) else {
                break
            }
            let type = String(decoding: header[0..<4], as: UTF8.self)
            let size = header[4..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
            let data = (position + 8)..<(position + 8 + size)
            switch type {
            case "VP8X":
                guard let fields = try bytes.bytesIfInObject(data.lowerBound..<(data.lowerBound + 10)) else {
                    return layout
                }
                layout.header.width = 1 + fields[4..<7].reversed().reduce(0) { $0 << 8 | Int($1) }
                layout.header.height = 1 + fields[7..<10].reversed().reduce(0) { $0 << 8 | Int($1) }
                hasCanvas = true
                if fields[0] & 0x08 == 0 { return layout }
            case "VP8 " where !hasCanvas && layout.header.width == nil:
                if let frame = try bytes.bytesIfInObject(data.lowerBound..<(data.lowerBound + 10)),
                    frame[3..<6].elementsEqual([0x9D, 0x01, 0x2A])
                {
                    layout.header.width = (Int(frame[7]) << 8 | Int(frame[6])) & 0x3FFF
                    layout.header.height = (Int(frame[9]) << 8 | Int(frame[8])) & 0x3FFF
                }
            case "VP8L" where !hasCanvas && layout.header.width == nil:
                if let stream = try bytes.bytesIfInObject(data.lowerBound..<(data.lowerBound + 5)), stream[0] == 0x2F {
                    let bits = stream[1..<5].reversed().reduce(0) { $0 << 8 | Int($1) }
                    layout.header.width = (bits & 0x3FFF) + 1
                    layout.header.height = (bits >> 14 & 0x3FFF) + 1
                }
            case "EXIF":
                try layout.recordExifBlock(data, in: bytes)
                return layout
            default:
                break
            }
            position = data.upperBound + (size & 1)
        }
        return layout
    }
}
