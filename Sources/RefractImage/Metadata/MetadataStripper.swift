import NIOCore
public import RefractCore

/// Removes metadata from a JPEG or PNG as its bytes stream, without decoding or re-encoding: the pixels stay exactly
/// as they were.
///
/// Dropped: JPEG APP1 (Exif, XMP), APP13 (Photoshop/IPTC) and COM segments; PNG `tEXt`, `zTXt`, `iTXt`, `eXIf` and
/// `tIME` chunks. ICC profiles (JPEG APP2 `ICC_PROFILE`, PNG `iCCP`) stay unless told otherwise. Everything after
/// the end of the image (JPEG EOI, PNG IEND) is dropped too, with the JPEG APP2 `MPF` index that points into it: such
/// trailers hold further pictures (phones' depth maps and second images) with their own EXIF and GPS.
///
/// Memory stays flat whatever the image's size: segments and chunks pass through as they arrive, and only a header
/// of at most 16 bytes is ever held back. JPEG entropy-coded data is scanned for markers, not decoded.
public struct MetadataStripper: Sendable {
    /// Whether ICC colour profiles are kept (`keep=icc`, the default) or dropped too (`keep=none`).
    public var keepsICCProfile: Bool

    public init(keepsICCProfile: Bool = true) {
        self.keepsICCProfile = keepsICCProfile
    }

    /// `body` without its metadata, pulled from `body` only as fast as it is consumed.
    ///
    /// The returned body fails with `UnprocessableSource` when `body` is neither a JPEG nor a PNG; that is known from
    /// its first bytes, before any output.
    public func strip(_ body: ObjectBody) -> ObjectBody {
        ObjectBody(StrippedBody(source: body, keepsICCProfile: keepsICCProfile))
    }
}

/// The stripped bytes of a body, filtered buffer by buffer as they are pulled.
struct StrippedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let source: ObjectBody
    let keepsICCProfile: Bool

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(upstream: source.makeAsyncIterator(), filter: MetadataFilter(keepsICCProfile: keepsICCProfile))
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var upstream: ObjectBody.AsyncIterator
        var filter: MetadataFilter
        var isDone = false

        mutating func next() async throws -> ByteBuffer? {
            while !isDone && !filter.isFinished {
                guard var input = try await upstream.next() else {
                    isDone = true
                    return try filter.finish()
                }
                var output = StrippedOutput()
                try filter.process(&input, into: &output)
                if let buffer = output.joined() { return buffer }
            }
            return nil
        }
    }
}

/// What a filter keeps of one input buffer: slices of it, and held-back header bytes.
struct StrippedOutput {
    private var parts: [ByteBuffer] = []

    mutating func append(_ buffer: ByteBuffer) {
        if buffer.readableBytes > 0 { parts.append(buffer) }
    }

    mutating func append(_ bytes: [UInt8]) {
        if !bytes.isEmpty { parts.append(ByteBuffer(bytes: bytes)) }
    }

    /// The parts as one buffer (the slice itself when there is only one), nil when nothing was kept.
    func joined() -> ByteBuffer? {
        guard parts.count > 1 else { return parts.first }
        var joined = ByteBuffer()
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes })
        for var part in parts { joined.writeBuffer(&part) }
        return joined
    }
}
