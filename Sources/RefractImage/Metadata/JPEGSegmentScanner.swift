/// Walks a JPEG's marker segments from SOI to SOS for the frame size (SOFn) and the EXIF block (APP1 `Exif`).
///
/// Each segment is skipped by its length, so only segment headers, the SOF and the APP1 payload are read: a large
/// APP2 or APP13 before the frame costs nothing but its four header bytes.
enum JPEGSegmentScanner {
    /// No real JPEG has this many segments before its first scan.
    static let mostSegments = 4096

    static func scan(_ bytes: SparseObjectBytes) throws(ByteAccessError) -> ExifContainerLayout {
        var layout = ExifContainerLayout(format: .jpeg)
        var position = 2
        for _ in 0..<mostSegments {
            guard let marker = try marker(at: position, in: bytes) else { break }
            let afterMarker = marker.position + 1
            switch marker.code {
            case 0xD9, 0xDA:
                return layout
            case 0x01, 0xD0...0xD8:
                position = afterMarker
                continue
            default:
                break
            }
            guard let lengthBytes = try bytes.bytesIfInObject(afterMarker..<(afterMarker + 2)) else { break }
            let length = Int(lengthBytes[0]) << 8 | Int(lengthBytes[1])
            guard length >= 2 else { break }
            let payload = (afterMarker + 2)..<(afterMarker + length)
            if isStartOfFrame(marker.code), layout.header.width == nil,
                let frame = try bytes.bytesIfInObject(payload.lowerBound..<(payload.lowerBound + 5))
            {
                layout.header.height = Int(frame[1]) << 8 | Int(frame[2])
                layout.header.width = Int(frame[3]) << 8 | Int(frame[4])
            }
            if marker.code == 0xE1, layout.exifBlock == nil, payload.count >= 6,
                try bytes.bytesIfInObject(payload.lowerBound..<(payload.lowerBound + 5)) == Array("Exif\0".utf8)
            {
                try layout.recordExifBlock((payload.lowerBound + 6)..<payload.upperBound, in: bytes)
            }
            position = payload.upperBound
        }
        return layout
    }

    /// The marker at `position`: `FF`, any fill `FF`s, then its code; nil where there is no marker (corrupt data).
    private static func marker(at position: Int, in bytes: SparseObjectBytes) throws(ByteAccessError) -> (
        position: Int, code: UInt8
    )? {
        guard try bytes.bytesIfInObject(position..<(position + 1)) == [0xFF] else { return nil }
        var codePosition = position + 1
        // Fill bytes are allowed before a marker; a run longer than this is not a JPEG any more.
        for _ in 0..<64 {
            guard let code = try bytes.bytesIfInObject(codePosition..<(codePosition + 1))?.first else { return nil }
            if code != 0xFF { return (codePosition, code) }
            codePosition += 1
        }
        return nil
    }

    /// SOF0–SOF15, without DHT (C4), JPG (C8) and DAC (CC), which share the range.
    private static func isStartOfFrame(_ code: UInt8) -> Bool {
        (0xC0...0xCF).contains(code) && code != 0xC4 && code != 0xC8 && code != 0xCC
    }
}
