import Foundation
import NIOCore
import RefractCore
import Testing

@testable import RefractStorage

/// aws-chunked bodies: the S3 documentation's examples, every way a body can be split, and malformed framing.
@Suite struct AWSChunkedTests {
    // MARK: - "Transferring payload in multiple chunks": 66560 bytes of 'a', in 64 KiB and 1 KiB chunks

    static let exampleHeaders: [(name: String, value: String)] = [
        ("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                + "x-amz-decoded-content-length;x-amz-storage-class,"
                + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        ),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"), ("Content-Length", "66824"),
    ]
    static let exampleContext = SigV4ChunkSigningContext(
        seedSignature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        credentials: SigV4SignerTests.s3Credentials,
        date: SigV4SignerTests.s3Date,
        region: "us-east-1"
    )
    static let exampleSignatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]
    static let examplePayload = [UInt8](repeating: UInt8(ascii: "a"), count: 66560)

    static func exampleBody(signatures: [String] = exampleSignatures, trailer: String = "") -> [UInt8] {
        Array("10000;chunk-signature=\(signatures[0])\r\n".utf8) + examplePayload[..<65536]
            + Array("\r\n400;chunk-signature=\(signatures[1])\r\n".utf8) + examplePayload[65536...]
            + Array("\r\n0;chunk-signature=\(signatures[2])\r\n\(trailer)\r\n".utf8)
    }

    static func exampleIdentity() throws -> SigV4Identity {
        try #require(
            try SigV4Verifier().verify(
                method: "PUT",
                rawPath: "/examplebucket/chunkObject.txt",
                rawQuery: "",
                headers: exampleHeaders,
                now: SigV4SignerTests.s3Date,
                secretAccessKey: { _ in SigV4SignerTests.s3Credentials.secretAccessKey }
            )
        )
    }

    @Test func signsTheExampleChunksAsPublished() {
        var previous = Self.exampleContext.seedSignature
        for (data, expected) in zip(
            [String(repeating: "a", count: 65536), String(repeating: "a", count: 1024), ""],
            Self.exampleSignatures
        ) {
            let hash = SigV4Hashing.sha256Hex(data)
            previous = Self.exampleContext.chunkSignature(dataSHA256: hash, previousSignature: previous)
            #expect(previous == expected)
        }
    }

    @Test(arguments: [[66824], [1000], [7, 13, 4096], [65_619, 1], [65_620, 1200]])
    func decodesTheExample(pieceSizes: [Int]) async throws {
        let encoded = Self.exampleBody()
        #expect(encoded.count == 66824, "the documented Content-Length")
        let verifier = try PayloadVerifier(headers: Self.exampleHeaders, identity: try Self.exampleIdentity())
        #expect(verifier.isAWSChunked)
        #expect(verifier.decodedContentLength == 66560)
        #expect(verifier.contentEncoding == nil)
        let payload = verifier.verify(bodyOf(splitBytes(encoded, sizes: pieceSizes)))
        #expect(try await collectBytes(payload.body) == Self.examplePayload)
        #expect(payload.checksums.values == [:])
    }

    @Test func refusesTheExampleWithAnySignatureOrByteChanged() async throws {
        let identity = try Self.exampleIdentity()
        for index in Self.exampleSignatures.indices {
            var signatures = Self.exampleSignatures
            signatures[index] = String(signatures[index].reversed())
            let verifier = try PayloadVerifier(headers: Self.exampleHeaders, identity: identity)
            await expectRefractError("SignatureDoesNotMatch", "signature \(index)") {
                _ = try await collectBytes(verifier.verify(bodyOf([Self.exampleBody(signatures: signatures)])).body)
            }
        }
        var changed = Self.exampleBody()
        // A byte of the second chunk's data: 88 bytes of first header, 65536 of data, CRLF, 86 of second header.
        #expect(changed[65_712] == UInt8(ascii: "a") && changed[65_711] == UInt8(ascii: "\n"))
        changed[65_712] = UInt8(ascii: "b")
        let verifier = try PayloadVerifier(headers: Self.exampleHeaders, identity: identity)
        await expectRefractError("SignatureDoesNotMatch", "a data byte") {
            _ = try await collectBytes(verifier.verify(bodyOf([changed])).body)
        }
    }

    @Test func failsAsSoonAsABadChunkHasPassed() async throws {
        var signatures = Self.exampleSignatures
        signatures[0] = String(repeating: "0", count: 64)
        let encoded = Self.exampleBody(signatures: signatures)
        let verifier = try PayloadVerifier(headers: Self.exampleHeaders, identity: try Self.exampleIdentity())
        var iterator = verifier.verify(bodyOf(splitBytes(encoded, sizes: [4096]))).body.makeAsyncIterator()
        var delivered = 0
        await expectRefractError("SignatureDoesNotMatch") {
            while let buffer = try await iterator.next() {
                delivered += buffer.readableBytes
            }
        }
        #expect(delivered == 65536, "nothing of the second chunk is delivered")
        #expect(try await iterator.next() == nil, "a failed body stays ended")
    }

    // MARK: - "Including trailing headers": the same data, a CRC32C trailer, and a signed trailer

    static let trailerContext = SigV4ChunkSigningContext(
        seedSignature: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
        credentials: SigV4SignerTests.s3Credentials,
        date: SigV4SignerTests.s3Date,
        region: "us-east-1"
    )
    static let trailerSignatures = [
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ]
    static let trailerHeaders: [(name: String, value: String)] = [
        ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "66560"),
        ("x-amz-trailer", "x-amz-checksum-crc32c"),
    ]
    static let trailerIdentity = SigV4Identity(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE",
        form: .header,
        region: "us-east-1",
        payloadHash: .streamingSignedWithTrailer,
        chunkSigning: trailerContext
    )

    static func trailerBody(checksum: String = "sOO8/Q==", signature: String? = nil) -> [UInt8] {
        let trailerSignature = signature ?? "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
        return exampleBody(
            signatures: trailerSignatures,
            trailer: "x-amz-checksum-crc32c:\(checksum)\r\nx-amz-trailer-signature:\(trailerSignature)\r\n"
        )
    }

    @Test func signsTheTrailerExampleAsPublished() {
        #expect(
            Self.trailerContext.trailerSignature(
                trailers: [("x-amz-checksum-crc32c", "sOO8/Q==")],
                previousSignature: Self.trailerSignatures[2]
            ) == "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
        )
    }

    @Test(arguments: [[100_000], [3], [65_621, 70]])
    func decodesTheTrailerExample(pieceSizes: [Int]) async throws {
        let verifier = try PayloadVerifier(headers: Self.trailerHeaders, identity: Self.trailerIdentity)
        let payload = verifier.verify(bodyOf(splitBytes(Self.trailerBody(), sizes: pieceSizes)))
        #expect(try await collectBytes(payload.body) == Self.examplePayload)
        #expect(payload.checksums.values == [.crc32c: "sOO8/Q=="])
        #expect(payload.checksums.responseHeaders.map(\.name) == ["x-amz-checksum-crc32c"])
    }

    @Test func refusesATamperedTrailer() async throws {
        let bodies = [
            ("trailer signature", Self.trailerBody(signature: String(repeating: "1", count: 64))),
            ("checksum under the signature", Self.trailerBody(checksum: "AAAAAA==")),
            (
                "no trailer signature",
                Self.exampleBody(signatures: Self.trailerSignatures, trailer: "x-amz-checksum-crc32c:sOO8/Q==\r\n")
            ),
        ]
        for (name, encoded) in bodies {
            let verifier = try PayloadVerifier(headers: Self.trailerHeaders, identity: Self.trailerIdentity)
            await expectRefractError("SignatureDoesNotMatch", "\(name)") {
                _ = try await collectBytes(verifier.verify(bodyOf([encoded])).body)
            }
        }
    }

    // MARK: - Every split of small bodies

    /// A body chunk-signed here (the signing itself is checked against the published example above).
    static func smallSignedBody() -> [UInt8] {
        var encoded: [UInt8] = []
        var previous = exampleContext.seedSignature
        for chunk in ["Hello", ", Ref", "ract!", ""] {
            previous = exampleContext.chunkSignature(
                dataSHA256: SigV4Hashing.sha256Hex(chunk),
                previousSignature: previous
            )
            encoded += Array("\(String(chunk.utf8.count, radix: 16));chunk-signature=\(previous)\r\n\(chunk)\r\n".utf8)
        }
        return encoded
    }

    /// What botocore 1.43.11's AwsChunkedWrapper sends for three lines of text, CRC32 trailer, 64-byte chunks.
    static let botocoreUnsignedBody = Array(
        ("40\r\nRefract streams objects through transforms.\nRefract streams obje\r\n"
            + "40\r\ncts through transforms.\nRefract streams objects through transfor\r\n"
            + "4\r\nms.\n\r\n0\r\nx-amz-checksum-crc32:R10jEg==\r\n\r\n").utf8
    )
    static let botocoreHeaders: [(name: String, value: String)] = [
        ("Content-Encoding", "aws-chunked"), ("X-Amz-Decoded-Content-Length", "132"),
        ("X-Amz-Trailer", "x-amz-checksum-crc32"), ("x-amz-sdk-checksum-algorithm", "CRC32"),
        ("X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
    ]
    static let botocorePayload = Array(
        String(repeating: "Refract streams objects through transforms.\n", count: 3).utf8
    )

    @Test func decodesASignedBodySplitAtEveryByte() async throws {
        let encoded = Self.smallSignedBody()
        let headers: [(name: String, value: String)] = [
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "15"),
        ]
        let identity = SigV4Identity(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE",
            form: .header,
            region: "us-east-1",
            payloadHash: .streamingSigned,
            chunkSigning: Self.exampleContext
        )
        var splits = (0...encoded.count).map { [Array(encoded[..<$0]), Array(encoded[$0...])] }
        splits.append(splitBytes(encoded, sizes: [1]))
        for pieces in splits {
            let verifier = try PayloadVerifier(headers: headers, identity: identity)
            let decoded = try await collectBytes(verifier.verify(bodyOf(pieces)).body)
            #expect(decoded == Array("Hello, Refract!".utf8), "split \(pieces.map(\.count))")
        }
    }

    @Test func decodesAnUnsignedTrailerBodySplitAtEveryByte() async throws {
        let encoded = Self.botocoreUnsignedBody
        var splits = (0...encoded.count).map { [Array(encoded[..<$0]), Array(encoded[$0...])] }
        splits.append(splitBytes(encoded, sizes: [1]))
        for pieces in splits {
            let payload = try PayloadVerifier(headers: Self.botocoreHeaders, identity: nil).verify(bodyOf(pieces))
            #expect(try await collectBytes(payload.body) == Self.botocorePayload, "split \(pieces.map(\.count))")
            #expect(payload.checksums.values == [.crc32: "R10jEg=="])
        }
    }

    // MARK: - Malformed framing

    static func decode(_ encoded: String, headers: [(name: String, value: String)] = botocoreHeaders) async throws {
        let verifier = try PayloadVerifier(headers: headers, identity: nil)
        _ = try await collectBytes(verifier.verify(bodyOf(splitBytes(Array(encoded.utf8), sizes: [3]))).body)
    }

    @Test func refusesMalformedFraming() async {
        let plain: [(name: String, value: String)] = [("Content-Encoding", "aws-chunked")]
        let cases: [(String, String, String)] = [
            ("a size that is not hex", "zz\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            ("a signed size", "+5\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            ("an empty size", "\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            ("data longer than its size", "4\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            ("a bare LF", "5\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            ("bytes after the end", "5\r\nhello\r\n0\r\n\r\nmore", "InvalidRequest"),
            ("a trailer without a colon", "5\r\nhello\r\n0\r\nno-colon\r\n\r\n", "InvalidRequest"),
            ("a header line without end", "5" + String(repeating: ";x=y", count: 1100), "InvalidRequest"),
            ("a body that stops in a chunk", "5\r\nhel", "IncompleteBody"),
            ("a body that stops before the trailer ends", "5\r\nhello\r\n0\r\n", "IncompleteBody"),
            ("an empty body", "", "IncompleteBody"),
        ]
        for (name, encoded, code) in cases {
            await expectRefractError(code, "\(name)") { try await Self.decode(encoded, headers: plain) }
        }
    }

    @Test func refusesAMissingChunkSignature() async throws {
        let identity = SigV4Identity(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE",
            form: .header,
            region: "us-east-1",
            payloadHash: .streamingSigned,
            chunkSigning: Self.exampleContext
        )
        let verifier = try PayloadVerifier(headers: [("Content-Encoding", "aws-chunked")], identity: identity)
        await expectRefractError("SignatureDoesNotMatch") {
            _ = try await collectBytes(verifier.verify(bodyOf([Array("5\r\nhello\r\n0\r\n\r\n".utf8)])).body)
        }
    }

    @Test func refusesTrailersAfterABodySignedWithoutOne() async throws {
        let trailer = "x-amz-checksum-crc32c:sOO8/Q==\r\n"
        let verifier = try PayloadVerifier(headers: Self.exampleHeaders, identity: try Self.exampleIdentity())
        await expectRefractError("InvalidRequest") {
            _ = try await collectBytes(verifier.verify(bodyOf([Self.exampleBody(trailer: trailer)])).body)
        }
    }

    @Test func checksTheDecodedLength() async {
        for length in ["131", "133", "0"] {
            let headers = Self.botocoreHeaders.map {
                $0.name == "X-Amz-Decoded-Content-Length" ? (name: $0.name, value: length) : $0
            }
            await expectRefractError("IncompleteBody", "declared \(length)") {
                _ = try await collectBytes(
                    try PayloadVerifier(headers: headers, identity: nil).verify(bodyOf([Self.botocoreUnsignedBody]))
                        .body
                )
            }
        }
    }
}
