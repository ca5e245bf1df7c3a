import NIOCore
import RefractCore
import Testing

@testable import RefractTranslate

@Suite struct SourceDecoderTests {
    /// The UTF-8 text of `bytes` in `charset`, fed `chunkBytes` at a time.
    static func decoded(_ bytes: [UInt8], charset: String?, chunkBytes: Int = .max) throws -> String {
        var decoder = SourceDecoder(encoding: try SourceEncoding(charset: charset))
        var output: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkBytes)
            output += try decoder.decode(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
        output += try decoder.finish()
        return try #require(String(validating: output, as: UTF8.self))
    }

    @Test func contentTypeGivesTheMediaTypeAndCharset() {
        let parsed = ContentType("Text/Markdown ; Charset=\"ISO-8859-1\"; variant=GFM")
        #expect(parsed.mediaType == "text/markdown")
        #expect(parsed.charset == "iso-8859-1")
        #expect(ContentType("text/plain").charset == nil)
    }

    @Test func utf8CutAnywhereIsPassedOnWholeAndItsByteOrderMarkDropped() throws {
        let text = "Grüße 😀 e\u{301} 語"
        for chunkBytes in [1, 2, 3, 5, 100] {
            #expect(
                try Self.decoded([0xEF, 0xBB, 0xBF] + Array(text.utf8), charset: "utf-8", chunkBytes: chunkBytes)
                    == text)
            #expect(try Self.decoded(Array(text.utf8), charset: nil, chunkBytes: chunkBytes) == text)
        }
    }

    @Test func textThatIsNotUTF8IsUnprocessable() {
        for bytes: [UInt8] in [
            [0x61, 0xFF, 0x62], [0x61, 0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82, 0x41],
        ] {
            let error = #expect(throws: RefractError.self) { try Self.decoded(bytes, charset: nil, chunkBytes: 1) }
            #expect(error?.s3Code == "UnprocessableSource")
            #expect(error?.httpStatus == 422)
        }
    }

    @Test func latin1AndWindows1252AreRead() throws {
        let bytes: [UInt8] = [0x43, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x20, 0x93, 0x71, 0x94, 0x20, 0xFF]
        for charset in ["iso-8859-1", "latin1", "windows-1252", "us-ascii"] {
            #expect(try Self.decoded(bytes, charset: charset, chunkBytes: 3) == "Café € “q” ÿ")
        }
    }

    @Test func utf16IsReadInTheOrderItsByteOrderMarkGives() throws {
        let text = "Hi 😀 é\r\n語"
        let units = Array(text.utf16)
        let bigEndian = units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let littleEndian = units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for chunkBytes in [1, 3, 4, 100] {
            #expect(try Self.decoded([0xFF, 0xFE] + littleEndian, charset: "utf-16", chunkBytes: chunkBytes) == text)
            #expect(try Self.decoded([0xFE, 0xFF] + bigEndian, charset: "utf-16", chunkBytes: chunkBytes) == text)
            #expect(try Self.decoded(bigEndian, charset: "utf-16", chunkBytes: chunkBytes) == text)
            #expect(try Self.decoded(littleEndian, charset: "utf-16le", chunkBytes: chunkBytes) == text)
            #expect(try Self.decoded([0xFE, 0xFF] + bigEndian, charset: "utf-16be", chunkBytes: chunkBytes) == text)
        }
    }

    @Test func brokenUTF16IsUnprocessable() {
        // A high surrogate followed by a letter; a lone low surrogate; an odd byte at the end.
        for bytes: [UInt8] in [[0xD8, 0x3D, 0x00, 0x41], [0xDE, 0x00], [0x00, 0x41, 0x00]] {
            let error = #expect(throws: RefractError.self) { try Self.decoded(bytes, charset: "utf-16be") }
            #expect(error?.s3Code == "UnprocessableSource")
        }
    }

    @Test func anUnknownCharsetIsUnprocessable() {
        let error = #expect(throws: RefractError.self) { try SourceEncoding(charset: "koi8-r") }
        #expect(error?.s3Code == "UnprocessableSource")
        #expect(error?.message.contains("koi8-r") == true)
    }
}
