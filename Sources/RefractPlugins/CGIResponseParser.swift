import NIOCore
import RefractCore

/// Reads the header section of a CGI response (RFC 3875 §6) from the start of a plugin's output, chunk by chunk.
///
/// Lines end with LF or CRLF and a blank line ends the section. Only what the gateway answers with is kept:
/// `Content-Type` (required), `Status`, `Content-Length`, and the headers a client may see (`Content-Language`,
/// `Content-Disposition`, `Cache-Control`, `x-amz-meta-*`); other headers are ignored.
struct CGIResponseParser {
    /// The longest header section taken, its blank line included.
    static let maxHeaderBytes = 16 * 1024

    /// What the output read so far makes of the response.
    enum Progress {
        case needsMoreOutput
        /// The header section is complete; `body` holds the bytes that followed it.
        case complete(CGIResponseHead, body: ByteBuffer)
    }

    /// What is wrong with a response: `reason` completes "answered a malformed CGI response: ...".
    struct Malformed: Error, Equatable {
        let reason: String
    }

    private var pending = ByteBuffer()
    private var headerBytes = 0
    private var status: Int?
    private var contentType: String?
    private var contentLength: Int?
    private var headers: [String: String] = [:]

    /// Takes the next chunk of output; call it again with the following chunk while it needs more output.
    mutating func parse(_ chunk: ByteBuffer) throws(Malformed) -> Progress {
        pending.writeImmutableBuffer(chunk)
        while let lineEnd = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let lineLength = lineEnd - pending.readableBytesView.startIndex
            headerBytes += lineLength + 1
            guard headerBytes <= Self.maxHeaderBytes else { throw Self.tooLarge }
            var line = pending.readSlice(length: lineLength)!.readableBytesView
            pending.moveReaderIndex(forwardBy: 1)
            if line.last == UInt8(ascii: "\r") {
                line = line.dropLast()
            }
            if line.isEmpty {
                let body = pending
                pending = ByteBuffer()
                return .complete(try head(), body: body)
            }
            try addField(line)
        }
        guard headerBytes + pending.readableBytes <= Self.maxHeaderBytes else { throw Self.tooLarge }
        return .needsMoreOutput
    }

    private static let tooLarge = Malformed(reason: "a header section over \(maxHeaderBytes) bytes")

    private func head() throws(Malformed) -> CGIResponseHead {
        guard let contentType else { throw Malformed(reason: "no Content-Type header") }
        return CGIResponseHead(
            status: status ?? 200,
            contentType: contentType,
            contentLength: contentLength,
            headers: headers
        )
    }

    private mutating func addField(_ line: ByteBufferView) throws(Malformed) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw Malformed(reason: "a header line without a colon, \(Self.text(line).quotedForMessage())")
        }
        let nameBytes = line[..<colon]
        guard !nameBytes.isEmpty, nameBytes.allSatisfy(Self.isTokenByte) else {
            throw Malformed(reason: "a header name that is not a token, \(Self.text(nameBytes).quotedForMessage())")
        }
        let name = Self.text(nameBytes).lowercased()
        var valueBytes = line[line.index(after: colon)...]
        while let first = valueBytes.first, Self.isBlank(first) {
            valueBytes = valueBytes.dropFirst()
        }
        while let last = valueBytes.last, Self.isBlank(last) {
            valueBytes = valueBytes.dropLast()
        }
        guard valueBytes.allSatisfy(Self.isFieldValueByte) else {
            throw Malformed(reason: "a control character in the value of \(name.quotedForMessage())")
        }
        let value = Self.text(valueBytes)
        switch name {
        case "content-type":
            guard !value.isEmpty else { throw Malformed(reason: "an empty Content-Type") }
            contentType = value
        case "status":
            status = try Self.statusCode(value)
        case "content-length":
            guard !value.isEmpty, value.utf8.allSatisfy(Self.isDigit), let length = Int(value) else {
                throw Malformed(reason: "a Content-Length that is not a byte count, \(value.quotedForMessage())")
            }
            contentLength = length
        case "content-language", "content-disposition", "cache-control":
            headers[name] = value
        case _ where name.hasPrefix("x-amz-meta-"):
            headers[name] = value
        default:
            break
        }
    }

    /// The code of a `Status` value, `404 Not Found` or `404`.
    private static func statusCode(_ value: String) throws(Malformed) -> Int {
        let bytes = Array(value.utf8)
        guard bytes.count >= 3, bytes[..<3].allSatisfy(isDigit), bytes.count == 3 || bytes[3] == UInt8(ascii: " "),
            let code = Int(value.prefix(3)), (200...599).contains(code)
        else {
            throw Malformed(reason: "a Status that is not a code from 200 to 599, \(value.quotedForMessage())")
        }
        return code
    }

    private static func text(_ bytes: ByteBufferView) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// RFC 9110's `field-vchar`, space and tab: no control character that could end or split a header line.
    private static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F)
    }
}
