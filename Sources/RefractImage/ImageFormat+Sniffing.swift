extension ImageFormat {
    /// The format the source's first bytes announce, never its name or its Content-Type; nil for anything else
    /// (SVG, MVG, PostScript, text...), which then never reaches ImageMagick.
    ///
    /// AVIF and HEIC are ISO BMFF files told apart by the brands of their `ftyp` box.
    static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        func starts(with prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && zip(bytes[offset...], prefix).allSatisfy { $0 == $1 }
        }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(with: Array("GIF87a".utf8)) || starts(with: Array("GIF89a".utf8)) { return .gif }
        if starts(with: Array("RIFF".utf8)) && starts(with: Array("WEBP".utf8), at: 8) { return .webp }
        // Little- and big-endian TIFF, and BigTIFF.
        if starts(with: [0x49, 0x49, 0x2A, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || starts(with: [0x49, 0x49, 0x2B, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2B])
        {
            return .tiff
        }
        if starts(with: Array("ftyp".utf8), at: 4) { return isobmffFormat(bytes) }
        return nil
    }

    private static let avifBrands: Set<String> = ["avif", "avis"]
    private static let heicBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]

    /// AVIF or HEIC from the major and compatible brands of the `ftyp` box that opens the file.
    private static func isobmffFormat(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        let boxSize = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard boxSize >= 16 else { return nil }
        let end = min(boxSize, bytes.count)
        // The major brand at 8, a minor version at 12, then the compatible brands.
        var brands: [String] = []
        for offset in stride(from: 8, to: end - 3, by: 4) where offset != 12 {
            brands.append(String(decoding: bytes[offset..<offset + 4], as: UTF8.self))
        }
        if brands.contains(where: avifBrands.contains) { return .avif }
        if brands.contains(where: heicBrands.contains) { return .heic }
        return nil
    }
}
