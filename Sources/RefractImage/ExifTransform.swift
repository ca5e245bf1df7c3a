import NIOCore
public import RefractCore

/// `exif`: the image's EXIF metadata and size as JSON (SPEC §2), read from the parts of the object it needs.
///
/// On the untouched source it reads the head (`headBytes`, a ranged read), then exactly the ranges the metadata
/// points past it, never the whole object: a 50 MB JPEG costs one 256 KiB read. After another step it reads that
/// step's output, which is already in memory.
public struct ExifTransform: Transform {
    /// The first ranged read.
    public let headBytes: Int
    /// The most bytes read in all after the head; a file whose metadata points further is answered with what was
    /// read, so a hostile TIFF cannot make one request read the whole object piece by piece.
    static let furtherBytesLimit = 4 << 20
    /// The most rounds of reads after the head, for the same reason.
    static let furtherReadsLimit = 8
    /// The least read after the head.
    static let minimumReadBytes = 4 << 10
    /// The largest input read when it is not the source (the output of an earlier step).
    static let maxInputBytes = 64 << 20

    public init(headBytes: Int) {
        self.headBytes = headBytes
    }

    public var descriptor: TransformDescriptor {
        TransformDescriptor(
            name: "exif",
            version: "1",
            summary: "The image's EXIF metadata, size and GPS position as JSON, with exiftool's tag names",
            parameters: [
                TransformParameter(
                    name: "gps",
                    kind: .boolean,
                    defaultValue: .boolean(true),
                    summary: "Whether GPS tags and the position are included"
                )
            ],
            accepts: ["image/jpeg", "image/png", "image/webp", "image/tiff"]
        )
    }

    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let data: ExifData
        if let source = input.sourceRanges {
            data = try await read(source)
        } else {
            let buffer = try await input.body.collect(
                upTo: Self.maxInputBytes,
                tooLarge: .sourceTooLarge("exif reads at most \(Self.maxInputBytes) bytes of a transformed image.")
            )
            data = try ExifReader.read(Array(buffer.readableBytesView))
        }
        let json = data.json(includingGPS: context.parameters.boolean("gps") ?? true)
        let body = ByteBuffer(string: json)
        return TransformOutput(
            body: ObjectBody(buffer: body),
            contentType: "application/json",
            contentLength: body.readableBytes
        )
    }

    private func read(_ source: SourceRanges) async throws -> ExifData {
        var reader = ExifReader(objectLength: source.objectLength)
        reader.supply(try await source.read(0..<headBytes), at: 0)
        var furtherBytes = 0
        for _ in 0..<Self.furtherReadsLimit {
            switch try reader.read() {
            case .complete(let data):
                return data
            case .needsBytes(let ranges):
                for needed in ranges {
                    // The reader asks for a few bytes at a time while it walks JPEG segments (two length bytes
                    // each); reading ahead finds the frame header in one round instead of one round per segment.
                    let range = needed.lowerBound..<max(needed.upperBound, needed.lowerBound + Self.minimumReadBytes)
                    guard furtherBytes + range.count <= Self.furtherBytesLimit else { return try reader.readSupplied() }
                    furtherBytes += range.count
                    reader.supply(try await source.read(range), at: range.lowerBound)
                }
            }
        }
        return try reader.readSupplied()
    }
}
