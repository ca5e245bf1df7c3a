import Crypto

/// The ETags of the filesystem store, each with its quotes as sent in the `ETag` header.
enum EntityTag {
    /// An object written in one piece: the hex MD5 of its bytes, as S3 makes it.
    static func singlePart(md5: [UInt8]) -> String {
        "\"\(hex(md5))\""
    }

    /// An object assembled by CompleteMultipartUpload, as S3 makes it: the hex MD5 of the parts' binary MD5s one
    /// after the other, a dash and the number of parts.
    static func multipart(partMD5s: [[UInt8]]) -> String {
        var digest = Insecure.MD5()
        for md5 in partMD5s { digest.update(data: md5) }
        return "\"\(hex(Array(digest.finalize())))-\(partMD5s.count)\""
    }

    /// A file put in the folder by hand, without metadata written by the store: the size and the modification
    /// time in nanoseconds since 1970, both in lower-case hex, joined by a dash (`"1f4-1810c5f2a4e3b000"`).
    ///
    /// It changes whenever the file is rewritten or touched, stays the same across restarts, and its dash tells
    /// clients that it is not an MD5 of the content (as with S3's multipart ETags).
    static func derived(from status: FileStatus) -> String {
        let size = String(status.size, radix: 16)
        let modified = String(UInt64(bitPattern: status.modificationNanoseconds), radix: 16)
        return "\"\(size)-\(modified)\""
    }

    /// The tag without quotes, lower-cased, to compare a tag a client sent with one the store made.
    static func normalized(_ tag: String) -> String {
        var text = Substring(tag)
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
        return text.lowercased()
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of a hex MD5 (32 digits), nil when it is anything else.
    static func md5Bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
