public import NIOCore
public import RefractCore

/// Reads EXIF metadata and the image size from the parts of an object it is given, without decoding pixels and
/// without needing the whole object: JPEG (APP1 `Exif`), PNG (`eXIf`), WebP (RIFF `EXIF`) and TIFF.
///
/// Supply the head of the object (a ranged read), then call ``read()``. When the metadata points past what was
/// supplied, the answer is ``ExifReadResult/needsBytes(_:)`` with the ranges missing; supply them and read again.
/// Each read starts over from the supplied bytes, which is cheap: metadata is small.
///
/// Corrupt metadata never crashes the reader nor makes it loop: offsets and counts are checked against the structure
/// they belong to, each directory is read once, and what could be read is returned.
///
/// A hostile TIFF can point its values all over a large file; the caller decides how many reads that is worth and
/// then finishes with ``readSupplied()``.
public struct ExifReader: Sendable {
    private var bytes: SparseObjectBytes

    /// A reader for an object of `objectLength` bytes, none supplied yet.
    public init(objectLength: Int) {
        bytes = SparseObjectBytes(objectLength: objectLength)
    }

    /// Supplies `data`, found at `offset` in the object; bytes past the object's end are ignored.
    public mutating func supply(_ data: [UInt8], at offset: Int) {
        bytes.insert(data, at: offset)
    }

    /// Supplies the readable bytes of `buffer`, found at `offset` in the object.
    public mutating func supply(_ buffer: ByteBuffer, at offset: Int) {
        bytes.insert(buffer.readableBytesView, at: offset)
    }

    /// How many bytes of the object have been supplied.
    public var suppliedByteCount: Int { bytes.heldByteCount }

    /// Reads the metadata, or says which bytes are still needed.
    ///
    /// Throws `UnprocessableSource` when the object is not a JPEG, PNG, WebP or TIFF image, or when neither the image
    /// size nor any tag could be read.
    public func read() throws(RefractError) -> ExifReadResult {
        do {
            return .complete(try Self.decode(bytes))
        } catch {
            switch error {
            case .missing(let ranges): return .needsBytes(ranges)
            case .notAnImage: throw Self.notAnImage
            case .unreadable: throw Self.unreadable
            }
        }
    }

    /// Reads the metadata from the bytes supplied so far, taking those not supplied as absent.
    public func readSupplied() throws(RefractError) -> ExifData {
        var available = bytes
        available.treatsMissingAsAbsent = true
        do {
            return try Self.decode(available)
        } catch {
            throw error == .notAnImage ? Self.notAnImage : Self.unreadable
        }
    }

    /// Reads the metadata of an object held whole in memory.
    public static func read(_ object: [UInt8]) throws(RefractError) -> ExifData {
        var reader = ExifReader(objectLength: object.count)
        reader.supply(object, at: 0)
        return try reader.readSupplied()
    }

    private static let notAnImage = RefractError.unprocessableSource(
        "The source is not a JPEG, PNG, WebP or TIFF image.")
    private static let unreadable = RefractError.unprocessableSource(
        "Neither the image size nor any EXIF metadata could be read from the source.")

    /// Needed ranges closer than this are asked for as one: a read costs more than a few hundred bytes.
    public static let rangeMergingDistance = 512

    private enum DecodeFailure: Error, Equatable {
        case missing([Range<Int>])
        case notAnImage
        case unreadable
    }

    private static func decode(_ bytes: SparseObjectBytes) throws(DecodeFailure) -> ExifData {
        let signature = try attempt { () throws(ByteAccessError) in try bytes.bytes(0..<min(12, bytes.objectLength)) }
        guard let format = ExifImageHeader.Format(signature: signature) else { throw .notAnImage }
        var layout = try attempt { () throws(ByteAccessError) in
            switch format {
            case .jpeg: return try JPEGSegmentScanner.scan(bytes)
            case .png: return try PNGChunkScanner.scan(bytes)
            case .webp: return try WebPChunkScanner.scan(bytes)
            case .tiff:
                var layout = ExifContainerLayout(format: .tiff)
                layout.exifBlock = 0..<bytes.objectLength
                return layout
            }
        }
        let structure = try attempt { () throws(ByteAccessError) in
            try layout.exifBlock.flatMap { block throws(ByteAccessError) in
                try TIFFStructure(source: bytes, start: block.lowerBound, length: block.count)
            }
        }
        let reading = structure?.read() ?? TIFFStructure.Reading(directories: [], missing: [])
        guard reading.missing.isEmpty else { throw .missing(merged(reading.missing)) }
        let directories = reading.directories
        if format == .tiff, let ifd0 = directories.first(where: { $0.name == .ifd0 }) {
            layout.header.width = ifd0["ImageWidth"]?.doubleValue.flatMap { Int(exactly: $0) }
            layout.header.height = ifd0["ImageHeight"]?.doubleValue.flatMap { Int(exactly: $0) }
        }
        guard layout.header.width != nil || !directories.isEmpty else { throw .unreadable }
        return ExifData(header: layout.header, directories: directories)
    }

    private static func attempt<Value>(_ body: () throws(ByteAccessError) -> Value) throws(DecodeFailure) -> Value {
        do {
            return try body()
        } catch {
            switch error {
            case .missing(let range): throw .missing([range])
            case .outOfBounds: throw .unreadable
            }
        }
    }

    /// `ranges` sorted, with those that overlap or lie close together made one.
    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var merged: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + rangeMergingDistance {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
