import Crypto
import NIOCore
import RefractCore

/// Decodes an aws-chunked body as its buffers arrive, checking chunk and trailer signatures on the way.
///
/// The framing is `hex-size[;chunk-signature=SIG]\r\n<data>\r\n` per chunk, a final chunk of size 0, then trailer
/// lines (`x-amz-checksum-crc32:BASE64\r\n`, `x-amz-trailer-signature:SIG\r\n`) ended by an empty line. Data is
/// handed on as slices of the input, hashed as it passes, so memory stays at one header or trailer line whatever
/// the chunk size; a chunk whose signature does not match fails as soon as its data has passed.
struct AWSChunkedDecoder {
    enum Mode {
        /// Chunks carry no signatures (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, or plain `aws-chunked`).
        case unsigned
        /// Every chunk is signed; no trailer may follow (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`).
        case signed(SigV4ChunkSigningContext)
        /// Every chunk and the trailer are signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`).
        case signedWithTrailer(SigV4ChunkSigningContext)
    }

    enum Event {
        case data(ByteBuffer)
        /// The body is complete; the trailing headers, names lower-cased, without `x-amz-trailer-signature`.
        case end(trailers: [(name: String, value: String)])
    }

    private enum State {
        case chunkHeader
        case chunkData(remaining: Int)
        /// After a chunk's data, `matched` bytes of its closing CRLF have been seen.
        case chunkEnd(matched: Int)
        case trailer
        case done
    }

    static let maxLineLength = 4096
    static let maxTrailerLines = 16

    private let mode: Mode
    private var state = State.chunkHeader
    private var line: [UInt8] = []
    private var chunkHasher = SHA256()
    private var claimedChunkSignature = ""
    private var previousSignature: String
    private var trailers: [(name: String, value: String)] = []
    private var trailerLineCount = 0
    private var claimedTrailerSignature: String?

    init(mode: Mode) {
        self.mode = mode
        switch mode {
        case .unsigned: previousSignature = ""
        case .signed(let context), .signedWithTrailer(let context): previousSignature = context.seedSignature
        }
    }

    private var isSigned: Bool {
        if case .unsigned = mode { false } else { true }
    }

    /// The next event the bytes of `input` complete, consuming them; nil when `input` is used up first.
    mutating func next(from input: inout ByteBuffer) throws -> Event? {
        while true {
            switch state {
            case .chunkHeader:
                guard let header = try readLine(from: &input) else { return nil }
                try startChunk(header: header)
            case .chunkData(let remaining):
                guard input.readableBytes > 0 else { return nil }
                let count = min(remaining, input.readableBytes)
                let slice = input.readSlice(length: count)!
                if isSigned {
                    slice.withUnsafeReadableBytes { chunkHasher.update(bufferPointer: $0) }
                }
                state = count == remaining ? .chunkEnd(matched: 0) : .chunkData(remaining: remaining - count)
                return .data(slice)
            case .chunkEnd(let matched):
                guard let byte = input.readInteger(as: UInt8.self) else { return nil }
                guard byte == (matched == 0 ? UInt8(ascii: "\r") : UInt8(ascii: "\n")) else {
                    throw Self.malformed("a chunk's data is not followed by CRLF")
                }
                if matched == 0 {
                    state = .chunkEnd(matched: 1)
                } else {
                    try verifyChunkSignature()
                    state = .chunkHeader
                }
            case .trailer:
                guard let trailer = try readLine(from: &input) else { return nil }
                if trailer.isEmpty {
                    try verifyTrailerSignature()
                    state = .done
                    return .end(trailers: trailers)
                }
                try addTrailer(trailer)
            case .done:
                // Once the trailer has ended, any byte is one too many.
                guard input.readableBytes == 0 else { throw Self.malformed("bytes follow the final chunk") }
                return nil
            }
        }
    }

    private mutating func startChunk(header: [UInt8]) throws {
        let fields = header.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        let sizeDigits = fields[0]
        guard (1...15).contains(sizeDigits.count), sizeDigits.allSatisfy({ $0.isHexDigit }),
            let size = Int(String(decoding: sizeDigits, as: UTF8.self), radix: 16)
        else {
            throw Self.malformed("a chunk size is not hexadecimal")
        }
        if isSigned {
            let prefix = Array("chunk-signature=".utf8)
            guard let signature = fields.dropFirst().first(where: { $0.starts(with: prefix) }) else {
                throw RefractError.signatureDoesNotMatch("A chunk of the aws-chunked body has no chunk-signature.")
            }
            claimedChunkSignature = String(decoding: signature.dropFirst(prefix.count), as: UTF8.self)
            chunkHasher = SHA256()
        }
        if size == 0 {
            try verifyChunkSignature()
            state = .trailer
        } else {
            state = .chunkData(remaining: size)
        }
    }

    private mutating func verifyChunkSignature() throws {
        let context: SigV4ChunkSigningContext
        switch mode {
        case .unsigned: return
        case .signed(let signing), .signedWithTrailer(let signing): context = signing
        }
        let expected = context.chunkSignature(
            dataSHA256: SigV4Hashing.hex(chunkHasher.finalize()),
            previousSignature: previousSignature
        )
        guard SigV4Hashing.constantTimeEquals(expected, claimedChunkSignature) else {
            throw RefractError.signatureDoesNotMatch()
        }
        previousSignature = expected
    }

    private mutating func addTrailer(_ line: [UInt8]) throws {
        trailerLineCount += 1
        guard trailerLineCount <= Self.maxTrailerLines else { throw Self.malformed("too many trailing headers") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw Self.malformed("a trailing header has no colon")
        }
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        let value = SigV4Canonical.headerValue(String(decoding: line[(colon + 1)...], as: UTF8.self))
        guard !name.isEmpty, !name.contains(" ") else { throw Self.malformed("a trailing header's name is invalid") }
        if name == "x-amz-trailer-signature" {
            claimedTrailerSignature = value
        } else {
            trailers.append((name, value))
        }
    }

    private func verifyTrailerSignature() throws {
        switch mode {
        case .unsigned:
            return
        case .signed:
            guard trailers.isEmpty, claimedTrailerSignature == nil else {
                throw Self.malformed("trailing headers follow a body signed without a trailer")
            }
        case .signedWithTrailer(let context):
            let expected = context.trailerSignature(trailers: trailers, previousSignature: previousSignature)
            guard let claimed = claimedTrailerSignature, SigV4Hashing.constantTimeEquals(expected, claimed) else {
                throw RefractError.signatureDoesNotMatch()
            }
        }
    }

    /// The next CRLF-terminated line without its CRLF; nil, keeping what was read, when `input` ends first.
    private mutating func readLine(from input: inout ByteBuffer) throws -> [UInt8]? {
        guard let newline = input.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            guard line.count + input.readableBytes <= Self.maxLineLength else {
                throw Self.malformed("a chunk header or trailing header is too long")
            }
            line += input.readBytes(length: input.readableBytes)!
            return nil
        }
        let length = newline - input.readerIndex + 1
        guard line.count + length <= Self.maxLineLength else {
            throw Self.malformed("a chunk header or trailing header is too long")
        }
        line += input.readBytes(length: length)!
        defer { line.removeAll(keepingCapacity: true) }
        guard line.count >= 2, line[line.count - 2] == UInt8(ascii: "\r") else {
            throw Self.malformed("a line does not end with CRLF")
        }
        return Array(line.dropLast(2))
    }

    private static func malformed(_ reason: String) -> RefractError {
        .invalidRequest("The aws-chunked body is malformed: \(reason).")
    }
}
