import NIOCore
import RefractCore
import Testing

/// The value of a header, by lower-case name.
func headerValue(_ name: String, in headers: [(name: String, value: String)]) -> String? {
    headers.first { $0.name.lowercased() == name }?.value
}

/// Expects `body` to throw a `RefractError` with the S3 code `code`.
func expectRefractError(
    _ code: String,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let error = #expect(throws: RefractError.self, comment, sourceLocation: sourceLocation) { try body() }
    #expect(error?.s3Code == code, comment, sourceLocation: sourceLocation)
}

/// Expects `body` to throw a `RefractError` with the S3 code `code`.
func expectRefractError(
    _ code: String,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    let error = await #expect(throws: RefractError.self, comment, sourceLocation: sourceLocation) {
        try await body()
    }
    #expect(error?.s3Code == code, comment, sourceLocation: sourceLocation)
}

/// A body delivered in the given pieces, as a server would hand it over buffer by buffer.
func bodyOf(_ pieces: [[UInt8]]) -> ObjectBody {
    ObjectBody(BufferListSequence(buffers: pieces.map { ByteBuffer(bytes: $0) }))
}

/// Reads a whole body.
func collectBytes(_ body: ObjectBody) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    for try await buffer in body {
        bytes += buffer.readableBytesView
    }
    return bytes
}

/// The bytes of a body, split into pieces whose sizes cycle through `sizes`.
func splitBytes(_ bytes: [UInt8], sizes: [Int]) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var offset = 0
    var index = 0
    while offset < bytes.count {
        let size = max(1, sizes[index % sizes.count])
        pieces.append(Array(bytes[offset..<min(bytes.count, offset + size)]))
        offset += size
        index += 1
    }
    return pieces
}

struct BufferListSequence: AsyncSequence, Sendable {
    let buffers: [ByteBuffer]

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>

        mutating func next() async throws -> ByteBuffer? {
            remaining.popFirst()
        }
    }
}
