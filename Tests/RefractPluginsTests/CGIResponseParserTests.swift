import NIOCore
import Testing

@testable import RefractPlugins

@Suite struct CGIResponseParserTests {
    private func parse(_ chunks: [String]) throws -> (CGIResponseHead, String)? {
        var parser = CGIResponseParser()
        for chunk in chunks {
            if case .complete(let head, let body) = try parser.parse(ByteBuffer(string: chunk)) {
                return (head, String(buffer: body))
            }
        }
        return nil
    }

    @Test func readsLFAndCRLFHeaderSections() throws {
        let lf = try #require(try parse(["Content-Type: text/plain\nStatus: 201 Created\n\nbody\n\nmore"]))
        #expect(lf.0 == CGIResponseHead(status: 201, contentType: "text/plain", contentLength: nil, headers: [:]))
        #expect(lf.1 == "body\n\nmore")

        let crlf = try #require(try parse(["Content-Type: image/png\r\nContent-Length: 3\r\n\r\nabc"]))
        #expect(crlf.0 == CGIResponseHead(status: 200, contentType: "image/png", contentLength: 3, headers: [:]))
        #expect(crlf.1 == "abc")
    }

    @Test func readsAHeaderSectionSplitAnywhere() throws {
        let response = "Content-Type: text/plain\r\nX-Amz-Meta-A: 1\r\n\r\nthe body"
        let chunks = response.map { String($0) }
        let (head, body) = try #require(try parse(chunks))
        #expect(head.contentType == "text/plain")
        #expect(head.headers == ["x-amz-meta-a": "1"])
        // Byte by byte, the body's first byte comes in the chunk that completes the section; the rest follows.
        #expect(body == "" || body == "t")
        #expect(try parse(["Content-Type: text/plain\n", "\n", "body"])?.1 == "")
    }

    @Test func waitsForTheBlankLine() throws {
        var parser = CGIResponseParser()
        guard case .needsMoreOutput = try parser.parse(ByteBuffer(string: "Content-Type: text/plain\n")) else {
            Issue.record("A header section without its blank line is not complete")
            return
        }
    }

    @Test func keepsOnlyTheHeadersAClientMaySee() throws {
        let response = """
            Content-Type: text/html
            Content-Language:  de-DE\t
            CONTENT-DISPOSITION: attachment; filename="x.html"
            cache-control: no-store
            X-Amz-Meta-Camera-Model: Nikon D850
            X-Powered-By: PHP
            Location: /elsewhere
            Set-Cookie: a=b


            """
        let (head, _) = try #require(try parse([response]))
        #expect(
            head.headers == [
                "content-language": "de-DE",
                "content-disposition": "attachment; filename=\"x.html\"",
                "cache-control": "no-store",
                "x-amz-meta-camera-model": "Nikon D850",
            ]
        )
    }

    @Test(arguments: [("404", 404), ("404 Not Found", 404), ("599 Custom", 599), ("200", 200)])
    func readsStatusCodes(value: String, code: Int) throws {
        #expect(try parse(["Status: \(value)\nContent-Type: text/plain\n\n"])?.0.status == code)
    }

    @Test(arguments: ["OK", "20", "2000", "600 Too High", "199 Low", "404Not Found", ""])
    func refusesBadStatuses(value: String) {
        #expect(throws: CGIResponseParser.Malformed.self) {
            try parse(["Status: \(value)\nContent-Type: text/plain\n\n"])
        }
    }

    @Test(arguments: [
        ("Content-Type: text/plain\nno colon here\n\n", "a header line without a colon, 'no colon here'"),
        ("Status: 200\n\nbody", "no Content-Type header"),
        ("Content-Type:\n\n", "an empty Content-Type"),
        ("Content-Type: text/plain\nBad Name: x\n\n", "a header name that is not a token, 'Bad Name'"),
        ("Content-Type: text/plain\nX-A: a\u{1}b\n\n", "a control character in the value of 'x-a'"),
        ("Content-Type: text/plain\nX-A: a\rb\n\n", "a control character in the value of 'x-a'"),
        ("Content-Type: text/plain\nContent-Length: -1\n\n", "a Content-Length that is not a byte count, '-1'"),
        ("Content-Type: text/plain\nContent-Length: 1e3\n\n", "a Content-Length that is not a byte count, '1e3'"),
    ])
    func refusesMalformedHeaderSections(response: String, reason: String) {
        #expect(throws: CGIResponseParser.Malformed(reason: reason)) {
            try parse([response])
        }
    }

    @Test func takesAHeaderSectionOfUpTo16KiB() throws {
        let prefix = "Content-Type: text/plain\nX-Pad: "
        let padding = CGIResponseParser.maxHeaderBytes - prefix.utf8.count - 2
        let atLimit = prefix + String(repeating: "a", count: padding) + "\n\n"
        #expect(try parse([atLimit]) != nil)

        let overLimit = prefix + String(repeating: "a", count: padding + 1) + "\n\n"
        #expect(throws: CGIResponseParser.Malformed(reason: "a header section over 16384 bytes")) {
            try parse([overLimit])
        }
    }

    @Test func refusesAnEndlessHeaderLineAsSoonAsItPassesTheLimit() throws {
        var parser = CGIResponseParser()
        _ = try parser.parse(ByteBuffer(string: "Content-Type: text/plain\nX-Pad: "))
        #expect(throws: CGIResponseParser.Malformed.self) {
            for _ in 0..<5 {
                _ = try parser.parse(ByteBuffer(repeating: UInt8(ascii: "a"), count: 4096))
            }
        }
    }
}
