import NIOCore
import RefractCore

/// Turns a source's bytes into checked UTF-8 as they stream, buffer by buffer.
///
/// Only whole characters are handed on: the bytes of a character cut by a buffer boundary wait for the next buffer.
/// A byte order mark at the start is dropped. Bytes that are not text in the encoding are `UnprocessableSource`.
struct SourceDecoder {
    private var encoding: SourceEncoding
    /// Bytes of a character not yet complete, and at the start the bytes that may be a byte order mark.
    private var carried: [UInt8] = []
    /// A UTF-16 high surrogate waiting for its low half.
    private var highSurrogate: UInt16?
    private var isAtStart = true
    /// How many source bytes came before `carried`, for error messages.
    private var offset = 0

    init(encoding: SourceEncoding) {
        self.encoding = encoding
    }

    /// The UTF-8 of `buffer`'s complete characters, with those cut short at the previous buffer's end.
    mutating func decode(_ buffer: ByteBuffer) throws(RefractError) -> [UInt8] {
        var bytes = carried
        bytes.append(contentsOf: buffer.readableBytesView)
        carried = []
        return try decode(bytes, isLast: false)
    }

    /// The UTF-8 of what is still carried; fails when the source ends inside a character.
    mutating func finish() throws(RefractError) -> [UInt8] {
        let bytes = carried
        carried = []
        let decoded = try decode(bytes, isLast: true)
        if highSurrogate != nil { throw Self.invalid("ends inside a UTF-16 surrogate pair", at: offset) }
        return decoded
    }

    private mutating func decode(_ bytes: [UInt8], isLast: Bool) throws(RefractError) -> [UInt8] {
        var start = 0
        if isAtStart {
            let mark = byteOrderMark(in: bytes)
            guard mark != nil || isLast || bytes.count >= 3 else {
                carried = bytes
                return []
            }
            isAtStart = false
            start = mark ?? 0
            offset += start
        }
        switch encoding {
        case .utf8: return try checkUTF8(bytes, from: start, isLast: isLast)
        case .windows1252: return decodeWindows1252(bytes, from: start)
        case .utf16, .utf16BigEndian: return try decodeUTF16(bytes, from: start, isLast: isLast, bigEndian: true)
        case .utf16LittleEndian: return try decodeUTF16(bytes, from: start, isLast: isLast, bigEndian: false)
        }
    }

    /// The length of the byte order mark `bytes` starts with, nil when they start with none (or too few bytes to
    /// tell); for plain `utf-16` it also settles the byte order.
    private mutating func byteOrderMark(in bytes: [UInt8]) -> Int? {
        switch encoding {
        case .utf8:
            return bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : nil
        case .windows1252:
            return nil
        case .utf16:
            if bytes.starts(with: [0xFE, 0xFF]) { return 2 }
            if bytes.starts(with: [0xFF, 0xFE]) {
                encoding = .utf16LittleEndian
                return 2
            }
            return nil
        case .utf16BigEndian:
            return bytes.starts(with: [0xFE, 0xFF]) ? 2 : nil
        case .utf16LittleEndian:
            return bytes.starts(with: [0xFF, 0xFE]) ? 2 : nil
        }
    }

    /// `bytes[start...]` checked as UTF-8; an incomplete last character is carried unless `isLast`.
    private mutating func checkUTF8(_ bytes: [UInt8], from start: Int, isLast: Bool) throws(RefractError) -> [UInt8] {
        var index = start
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                secondRange = 0xA0...0xBF
            case 0xED:
                length = 3
                secondRange = 0x80...0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0:
                length = 4
                secondRange = 0x90...0xBF
            case 0xF4:
                length = 4
                secondRange = 0x80...0x8F
            case 0xF1...0xF3: length = 4
            default: throw Self.invalid("is not valid UTF-8", at: offset + index - start)
            }
            let available = min(length, bytes.count - index)
            for position in 1..<max(available, 1) {
                let byte = bytes[index + position]
                let allowed = position == 1 ? secondRange : 0x80...0xBF
                guard allowed.contains(byte) else {
                    throw Self.invalid("is not valid UTF-8", at: offset + index - start)
                }
            }
            if available < length {
                guard !isLast else { throw Self.invalid("ends inside a UTF-8 character", at: offset + index - start) }
                carried = Array(bytes[index...])
                break
            }
            index += length
        }
        offset += index - start
        return Array(bytes[start..<index])
    }

    private mutating func decodeWindows1252(_ bytes: [UInt8], from start: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count - start)
        for byte in bytes[start...] {
            if byte < 0x80 {
                output.append(byte)
            } else {
                let value = (0x80...0x9F).contains(byte) ? Self.windows1252C1[Int(byte - 0x80)] : UInt16(byte)
                Self.appendUTF8(Unicode.Scalar(value)!, to: &output)
            }
        }
        offset += bytes.count - start
        return output
    }

    private mutating func decodeUTF16(
        _ bytes: [UInt8],
        from start: Int,
        isLast: Bool,
        bigEndian: Bool
    ) throws(RefractError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count - start)
        var index = start
        while index + 1 < bytes.count {
            let unit =
                bigEndian
                ? UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
                : UInt16(bytes[index + 1]) << 8 | UInt16(bytes[index])
            let position = offset + index - start
            index += 2
            if let high = highSurrogate {
                guard (0xDC00...0xDFFF).contains(unit) else {
                    throw Self.invalid("has a UTF-16 high surrogate without its low half", at: position)
                }
                highSurrogate = nil
                let value = 0x10000 + (UInt32(high - 0xD800) << 10 | UInt32(unit - 0xDC00))
                Self.appendUTF8(Unicode.Scalar(value)!, to: &output)
            } else if (0xD800...0xDBFF).contains(unit) {
                highSurrogate = unit
            } else if let scalar = Unicode.Scalar(unit) {
                Self.appendUTF8(scalar, to: &output)
            } else {
                throw Self.invalid("has a UTF-16 low surrogate without its high half", at: position)
            }
        }
        if index < bytes.count {
            guard !isLast else { throw Self.invalid("ends inside a UTF-16 code unit", at: offset + index - start) }
            carried = [bytes[index]]
        }
        offset += index - start
        return output
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        UTF8.encode(scalar) { output.append($0) }
    }

    private static func invalid(_ problem: String, at offset: Int) -> RefractError {
        .unprocessableSource("The text \(problem) at byte \(offset); give its charset in the Content-Type.")
    }

    /// What Windows-1252 has at 0x80...0x9F; the five bytes it leaves undefined stand for the C1 controls, as
    /// the WHATWG Encoding Standard has it.
    private static let windows1252C1: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
