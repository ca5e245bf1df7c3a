public import NIOCore

/// Reads byte ranges of a pipeline's source object straight from its store.
///
/// Given to the first unit of a pipeline only, while its input is still the untouched source: a step that needs a
/// few parts of an object (`exif` reads the head, and the directory a TIFF keeps at its end) asks for those instead
/// of reading the whole body, which it then leaves unread.
public struct SourceRanges: Sendable {
    /// The source's size in bytes.
    public let objectLength: Int
    private let readRange: @Sendable (Range<Int>) async throws -> ByteBuffer

    /// `readRange` returns exactly the bytes of a range within `0..<objectLength`.
    public init(objectLength: Int, readRange: @escaping @Sendable (Range<Int>) async throws -> ByteBuffer) {
        self.objectLength = objectLength
        self.readRange = readRange
    }

    /// The bytes of `range`, clamped to the object.
    public func read(_ range: Range<Int>) async throws -> ByteBuffer {
        let clamped = range.clamped(to: 0..<objectLength)
        guard !clamped.isEmpty else { return ByteBuffer() }
        return try await readRange(clamped)
    }
}
