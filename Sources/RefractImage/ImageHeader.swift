/// Image dimensions read straight from a file's header, before ImageMagick sees it.
///
/// ImageMagick refuses an image over its `policy.xml` width or height without saying why (a 30000×30000 PNG "fails"
/// like a corrupt one), and the engine must tell `SourceTooLarge` from `UnprocessableSource`. Reading the few header
/// bytes also refuses such a file before any coder runs. Formats whose size hides deeper (AVIF, HEIC, BigTIFF) give
/// nil and are measured by ImageMagick's ping alone.
struct ImageHeader {
    let width: Int
    let height: Int

    /// The declared size of the image (an animation's canvas), or nil when the header is not where it should be.
    init?(_ bytes: UnsafeRawBufferPointer, format: ImageFormat) {
        let reader = ByteReader(bytes: bytes)
        let size: (width: Int, height: Int)?
        switch format {
        case .png:
            // The IHDR chunk comes first: length, "IHDR", width, height, big-endian.
            guard reader.text(at: 12, count: 4) == "IHDR" else { return nil }
            size = reader.bigEndian32(at: 16).flatMap { width in reader.bigEndian32(at: 20).map { (width, $0) } }
        case .gif:
            size = reader.littleEndian16(at: 6).flatMap { width in reader.littleEndian16(at: 8).map { (width, $0) } }
        case .jpeg:
            size = Self.jpegSize(reader)
        case .webp:
            size = Self.webpSize(reader)
        case .tiff:
            size = Self.tiffSize(reader)
        case .avif, .heic:
            size = nil
        }
        guard let size else { return nil }
        self.width = size.width
        self.height = size.height
    }

    /// The size in the first start-of-frame segment, walking the segments before it.
    private static func jpegSize(_ reader: ByteReader) -> (width: Int, height: Int)? {
        var offset = 2
        while let byte = reader.byte(at: offset), byte == 0xFF {
            guard let marker = reader.byte(at: offset + 1) else { return nil }
            switch marker {
            case 0xFF:
                // A fill byte before the marker.
                offset += 1
            case 0x01, 0xD0...0xD8:
                offset += 2
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                // SOFn: length, precision, height, width.
                guard let height = reader.bigEndian16(at: offset + 5), let width = reader.bigEndian16(at: offset + 7)
                else { return nil }
                return (width, height)
            case 0xDA:
                // Start of scan before any frame header.
                return nil
            default:
                guard let length = reader.bigEndian16(at: offset + 2), length >= 2 else { return nil }
                offset += 2 + length
            }
        }
        return nil
    }

    /// The canvas of an extended (`VP8X`) file, or the frame of a simple lossy (`VP8 `) or lossless (`VP8L`) one.
    private static func webpSize(_ reader: ByteReader) -> (width: Int, height: Int)? {
        switch reader.text(at: 12, count: 4) {
        case "VP8X":
            guard let width = reader.littleEndian24(at: 24), let height = reader.littleEndian24(at: 27) else {
                return nil
            }
            return (width + 1, height + 1)
        case "VP8 ":
            guard let width = reader.littleEndian16(at: 26), let height = reader.littleEndian16(at: 28) else {
                return nil
            }
            return (width & 0x3FFF, height & 0x3FFF)
        case "VP8L":
            guard reader.byte(at: 20) == 0x2F, let bits = reader.littleEndian32(at: 21) else { return nil }
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        default:
            return nil
        }
    }

    /// ImageWidth (256) and ImageLength (257) of the first image file directory of a classic TIFF.
    private static func tiffSize(_ reader: ByteReader) -> (width: Int, height: Int)? {
        let littleEndian = reader.byte(at: 0) == 0x49
        func read16(_ offset: Int) -> Int? {
            littleEndian ? reader.littleEndian16(at: offset) : reader.bigEndian16(at: offset)
        }
        func read32(_ offset: Int) -> Int? {
            littleEndian ? reader.littleEndian32(at: offset) : reader.bigEndian32(at: offset)
        }
        guard read16(2) == 42, let directory = read32(4), let entryCount = read16(directory) else { return nil }
        var width: Int?
        var height: Int?
        for index in 0..<entryCount {
            let entry = directory + 2 + index * 12
            guard let tag = read16(entry), let type = read16(entry + 2) else { return nil }
            guard tag == 256 || tag == 257 else { continue }
            // SHORT (3) or LONG (4), held in the entry itself.
            let value = type == 3 ? read16(entry + 8) : type == 4 ? read32(entry + 8) : nil
            if tag == 256 { width = value } else { height = value }
        }
        guard let width, let height else { return nil }
        return (width, height)
    }
}

/// Bounds-checked reads of integers from a file's bytes.
private struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func text(at offset: Int, count: Int) -> String? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    func bigEndian16(at offset: Int) -> Int? { integer(at: offset, count: 2, bigEndian: true) }
    func bigEndian32(at offset: Int) -> Int? { integer(at: offset, count: 4, bigEndian: true) }
    func littleEndian16(at offset: Int) -> Int? { integer(at: offset, count: 2, bigEndian: false) }
    func littleEndian24(at offset: Int) -> Int? { integer(at: offset, count: 3, bigEndian: false) }
    func littleEndian32(at offset: Int) -> Int? { integer(at: offset, count: 4, bigEndian: false) }

    private func integer(at offset: Int, count: Int, bigEndian: Bool) -> Int? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        var value = 0
        for index in 0..<count {
            let byte = Int(bytes[offset + (bigEndian ? index : count - 1 - index)])
            value = value << 8 | byte
        }
        return value
    }
}
