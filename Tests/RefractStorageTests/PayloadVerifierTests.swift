import Crypto
import Foundation
import NIOCore
import RefractCore
import Testing

@testable import RefractStorage

@Suite struct PayloadVerifierTests {
    static let fox = Array("The quick brown fox jumps over the lazy dog".utf8)
    /// Base64 of the big-endian digests of `fox` (CRC32C and CRC64/NVME computed bit by bit, the others by
    /// Python's zlib and hashlib).
    static let foxChecksums: [ChecksumAlgorithm: String] = [
        .crc32: "QU+jOQ==", .crc32c: "ImIEBA==", .crc64nvme: "12xUBUlUwUM=", .sha1: "L9ThxnotKPzthJ7hu3bnORuT6xI=",
        .sha256: "16j7swfXgJRpypq8sAguT41WUeRtPNt2LQLQvzfJ5ZI=",
    ]
    static let foxSHA256 = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"

    static func run(
        _ headers: [(name: String, value: String)],
        identity: SigV4Identity? = nil,
        body pieces: [[UInt8]] = [fox]
    ) async throws -> ([UInt8], PayloadChecksums) {
        let payload = try PayloadVerifier(headers: headers, identity: identity).verify(bodyOf(pieces))
        return (try await collectBytes(payload.body), payload.checksums)
    }

    @Test func passesAPlainBodyThrough() async throws {
        let verifier = try PayloadVerifier(headers: [("Content-Length", "43")], identity: nil)
        #expect(!verifier.isAWSChunked)
        #expect(verifier.decodedContentLength == 43)
        let payload = verifier.verify(bodyOf(splitBytes(Self.fox, sizes: [5, 0, 11])))
        #expect(payload.checksums.values == nil, "nothing is known before the body is read")
        #expect(try await collectBytes(payload.body) == Self.fox)
        #expect(payload.checksums.values == [:])
        #expect(payload.checksums.responseHeaders.isEmpty)
    }

    @Test func checksTheDeclaredSHA256() async throws {
        let (bytes, _) = try await Self.run([("x-amz-content-sha256", Self.foxSHA256.uppercased())])
        #expect(bytes == Self.fox)
        var other = Self.fox
        other[4] = UInt8(ascii: "Q")
        let payload = try PayloadVerifier(headers: [("x-amz-content-sha256", Self.foxSHA256)], identity: nil)
            .verify(bodyOf([other]))
        await expectRefractError("XAmzContentSHA256Mismatch") { _ = try await collectBytes(payload.body) }
        #expect(payload.checksums.values == nil)
    }

    @Test func checksTheSHA256TheSignatureDeclared() async throws {
        let identity = SigV4Identity(
            accessKeyID: "AKIDREFRACT",
            form: .header,
            region: "us-east-1",
            payloadHash: .sha256(String(repeating: "0", count: 64)),
            chunkSigning: AWSChunkedTests.exampleContext
        )
        await expectRefractError("XAmzContentSHA256Mismatch") {
            // The identity's declaration counts, not a header sent beside it.
            _ = try await Self.run([("x-amz-content-sha256", Self.foxSHA256)], identity: identity)
        }
    }

    @Test(arguments: ChecksumAlgorithm.allCases)
    func checksAChecksumHeader(_ algorithm: ChecksumAlgorithm) async throws {
        let value = try #require(Self.foxChecksums[algorithm])
        let (_, checksums) = try await Self.run(
            [(algorithm.headerName, value)],
            body: splitBytes(Self.fox, sizes: [3, 9])
        )
        #expect(checksums.values == [algorithm: value])
        #expect(checksums.responseHeaders.first?.name == algorithm.headerName)
        #expect(checksums.responseHeaders.first?.value == value)

        var digest = try #require(Data(base64Encoded: value))
        digest[digest.startIndex] ^= 1
        let payload = try PayloadVerifier(
            headers: [(algorithm.headerName, digest.base64EncodedString())],
            identity: nil
        )
        .verify(bodyOf([Self.fox]))
        let error = await #expect(throws: RefractError.self) { _ = try await collectBytes(payload.body) }
        #expect(error == .badDigest("The \(algorithm.rawValue) you specified did not match the calculated checksum."))
        #expect(payload.checksums.values == nil)
    }

    @Test func reportsTheChecksumTheSDKAskedFor() async throws {
        let (_, checksums) = try await Self.run([("x-amz-sdk-checksum-algorithm", "crc64nvme")])
        #expect(checksums.values == [.crc64nvme: "12xUBUlUwUM="])
    }

    /// The body `aws s3 cp` sent (see SigV4VerifierTests.acceptsARequestAwsCliSent), checked after its signature.
    @Test func checksWhatAwsCliSent() async throws {
        let identity = try #require(
            try SigV4Verifier().verify(
                method: "PUT",
                rawPath: "/photos/uploads/cli.txt",
                rawQuery: "",
                headers: SigV4VerifierTests.awsCliPutHeaders,
                now: Date(timeIntervalSince1970: 1_795_425_950),
                secretAccessKey: { _ in "refract/secret+KEY=example" }
            )
        )
        let sent = Array("Refract streams objects through transforms.\n".utf8)
        let (bytes, checksums) = try await Self.run(
            SigV4VerifierTests.awsCliPutHeaders,
            identity: identity,
            body: [sent]
        )
        #expect(bytes == sent)
        #expect(checksums.responseHeaders.map(\.name) == ["x-amz-checksum-crc32"])
        #expect(checksums.responseHeaders.map(\.value) == ["pVYJNA=="])
    }

    @Test func refusesContradictoryChecksumHeaders() {
        let cases: [(String, [(name: String, value: String)])] = [
            (
                "two checksums",
                [("x-amz-checksum-crc32", "QU+jOQ=="), ("x-amz-checksum-sha1", "L9ThxnotKPzthJ7hu3bnORuT6xI=")]
            ),
            ("not base64", [("x-amz-checksum-crc32", "not base64!")]),
            ("a digest of the wrong length", [("x-amz-checksum-crc32", "12xUBUlUwUM=")]),
            ("an unknown algorithm", [("x-amz-sdk-checksum-algorithm", "MD5")]),
            ("another algorithm", [("x-amz-sdk-checksum-algorithm", "SHA1"), ("x-amz-checksum-crc32", "QU+jOQ==")]),
            ("a trailer without aws-chunked", [("x-amz-trailer", "x-amz-checksum-crc32")]),
            (
                "a trailer that is not a checksum",
                [("Content-Encoding", "aws-chunked"), ("x-amz-trailer", "x-amz-meta-a")]
            ),
            (
                "a signed stream without a signature",
                [("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ("Content-Encoding", "aws-chunked")]
            ),
        ]
        for (name, headers) in cases {
            expectRefractError("InvalidRequest", "\(name)") { _ = try PayloadVerifier(headers: headers, identity: nil) }
        }
        expectRefractError("InvalidArgument") {
            _ = try PayloadVerifier(headers: [("x-amz-content-sha256", "abc")], identity: nil)
        }
    }

    @Test func readsTheEncodingsAndLength() throws {
        let verifier = try PayloadVerifier(
            headers: [
                ("Content-Encoding", "aws-chunked, gzip"), ("Content-Length", "200"),
                ("x-amz-decoded-content-length", "120"),
            ],
            identity: nil
        )
        #expect(verifier.isAWSChunked)
        #expect(verifier.contentEncoding == "gzip")
        #expect(verifier.decodedContentLength == 120)
    }

    // MARK: - Trailing checksums

    static let trailer = AWSChunkedTests.botocoreHeaders
    static let trailerPayload = AWSChunkedTests.botocorePayload

    static func trailerBody(_ trailerLines: String) -> [UInt8] {
        let encoded = String(decoding: AWSChunkedTests.botocoreUnsignedBody, as: UTF8.self)
        return Array(encoded.replacingOccurrences(of: "x-amz-checksum-crc32:R10jEg==\r\n", with: trailerLines).utf8)
    }

    @Test func checksATrailingChecksum() async throws {
        let (bytes, checksums) = try await Self.run(
            Self.trailer,
            body: [Self.trailerBody("x-amz-checksum-crc32:R10jEg==\r\n")]
        )
        #expect(bytes == Self.trailerPayload)
        #expect(checksums.values == [.crc32: "R10jEg=="])

        let wrong = try PayloadVerifier(headers: Self.trailer, identity: nil)
            .verify(bodyOf([Self.trailerBody("x-amz-checksum-crc32:QU+jOQ==\r\n")]))
        let error = await #expect(throws: RefractError.self) { _ = try await collectBytes(wrong.body) }
        #expect(error == .badDigest("The CRC32 you specified did not match the calculated checksum."))
        #expect(wrong.checksums.values == nil)
    }

    @Test func refusesWrongTrailers() async {
        let cases: [(String, String, String)] = [
            ("a missing trailer", "", "IncompleteBody"),
            (
                "an undeclared trailer", "x-amz-checksum-crc32:R10jEg==\r\nx-amz-checksum-crc32c:ImIEBA==\r\n",
                "InvalidRequest"
            ),
            ("a trailer that is not base64", "x-amz-checksum-crc32:R10j\r\n", "InvalidRequest"),
        ]
        for (name, lines, code) in cases {
            await expectRefractError(code, "\(name)") {
                _ = try await Self.run(Self.trailer, body: [Self.trailerBody(lines)])
            }
        }
    }

    /// Many buffers of random sizes: every checksum equals the one computed over the whole.
    @Test func checksumsLargeBodiesInPieces() async throws {
        var generator = SplitMix64(seed: 42)
        let bytes = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let sizes = (0..<50).map { _ in Int(generator.next() % 20_000) }
        var crc64 = CRC64NVME()
        crc64.update(bytes)
        let expected = Data(withUnsafeBytes(of: crc64.value.bigEndian, Array.init)).base64EncodedString()
        let (decoded, checksums) = try await Self.run(
            [
                ("x-amz-checksum-crc64nvme", expected),
                ("x-amz-content-sha256", SigV4Hashing.hex(SHA256.hash(data: bytes))),
            ],
            body: splitBytes(bytes, sizes: sizes)
        )
        #expect(decoded == bytes)
        #expect(
            checksums.values == [.crc64nvme: expected],
            "the SHA-256 checked is not reported: no header asked for it"
        )
    }
}
