/// Where an image keeps what the EXIF reader needs: its header's dimensions and its EXIF block.
struct ExifContainerLayout {
    var header: ExifImageHeader
    /// The TIFF structure holding the EXIF data, in object offsets.
    var exifBlock: Range<Int>?

    /// EXIF blocks up to this size are asked for whole as soon as they are found, in one read; larger ones are read
    /// only where their directories point.
    static let wholeBlockReadLimit = 1 << 20

    init(format: ExifImageHeader.Format) {
        header = ExifImageHeader(format: format)
    }

    /// Records the EXIF block at `range` (clipped to the object), skipping an `Exif\0\0` prefix some writers put in
    /// PNG and WebP chunks, and asks for the whole block when it is small.
    mutating func recordExifBlock(_ range: Range<Int>, in bytes: SparseObjectBytes) throws(ByteAccessError) {
        var block = range.clamped(to: 0..<bytes.objectLength)
        if block.count >= 6, try bytes.bytesIfInObject(block.prefix(6)) == Array("Exif\0\0".utf8) {
            block = (block.lowerBound + 6)..<block.upperBound
        }
        exifBlock = block
        if block.count <= Self.wholeBlockReadLimit { _ = try bytes.bytesIfInObject(block) }
    }
}
