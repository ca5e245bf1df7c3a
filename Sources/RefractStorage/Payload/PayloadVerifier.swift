import Foundation
public import RefractCore

/// Checks an upload's payload against what its headers and signature declare.
///
/// Built from the request's headers (which it validates at once), it wraps the body so that reading it decodes
/// aws-chunked framing, verifies chunk and trailer signatures, the `x-amz-content-sha256` hash, the
/// `x-amz-decoded-content-length` and any `x-amz-checksum-*` sent as a header or a trailer. `Content-MD5` is the
/// store's to check.
public struct PayloadVerifier: Sendable {
    enum Framing {
        case plain
        case awsChunked(AWSChunkedDecoder.Mode)
    }

    let framing: Framing
    /// The SHA-256 `x-amz-content-sha256` declared, lowercase hex.
    let expectedSHA256: String?
    /// Checksums sent as headers, decoded.
    let expectedChecksums: [ChecksumAlgorithm: [UInt8]]
    /// Checksums announced by `x-amz-trailer`.
    let trailerChecksums: Set<ChecksumAlgorithm>
    /// Checksums to report back: those sent or announced, and the one `x-amz-sdk-checksum-algorithm` names.
    let reportedChecksums: Set<ChecksumAlgorithm>

    /// The payload's length: `x-amz-decoded-content-length` for an aws-chunked body, else `Content-Length`.
    public let decodedContentLength: Int?
    /// The `Content-Encoding` to keep with the object: the request's, without `aws-chunked`; nil if none is left.
    public let contentEncoding: String?

    /// Whether the body is aws-chunked framed.
    public var isAWSChunked: Bool {
        if case .awsChunked = framing { true } else { false }
    }

    /// Reads what the request's headers declare about its payload.
    ///
    /// - Parameters:
    ///   - headers: The request's headers.
    ///   - identity: Who signed the request (its declared payload hash is the one checked), nil if anonymous.
    /// - Throws: `InvalidRequest` or `InvalidArgument` for headers that contradict each other or do not parse.
    public init(headers: [(name: String, value: String)], identity: SigV4Identity?) throws {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }.map { SigV4Canonical.headerValue($0.value) }
        }

        let declared: SigV4PayloadHash?
        if let identity {
            declared = identity.payloadHash
        } else if let value = header("x-amz-content-sha256") {
            guard let parsed = SigV4PayloadHash(value) else {
                throw RefractError.invalidArgument("x-amz-content-sha256 must be a valid value.")
            }
            declared = parsed
        } else {
            declared = nil
        }

        let encodings = (header("content-encoding") ?? "").split(separator: ",").map {
            SigV4Canonical.headerValue(String($0))
        }.filter { !$0.isEmpty }
        let keptEncodings = encodings.filter { $0.lowercased() != "aws-chunked" }
        contentEncoding = keptEncodings.isEmpty ? nil : keptEncodings.joined(separator: ",")
        let isChunkEncoded = keptEncodings.count < encodings.count

        var expectedSHA256: String?
        switch declared {
        case .streamingSigned, .streamingSignedWithTrailer:
            guard let identity else {
                throw RefractError.invalidRequest("A signed aws-chunked body needs a request signed with SigV4.")
            }
            framing = .awsChunked(
                declared == .streamingSigned
                    ? .signed(identity.chunkSigning) : .signedWithTrailer(identity.chunkSigning)
            )
        case .streamingUnsignedWithTrailer:
            framing = .awsChunked(.unsigned)
        case .sha256(let hex):
            expectedSHA256 = hex
            framing = isChunkEncoded ? .awsChunked(.unsigned) : .plain
        case .unsigned, nil:
            framing = isChunkEncoded ? .awsChunked(.unsigned) : .plain
        }
        self.expectedSHA256 = expectedSHA256

        let lengthHeader = isChunkEncoded || declared?.isStreaming == true
            ? "x-amz-decoded-content-length" : "content-length"
        if let length = header(lengthHeader) {
            guard let parsed = Int(length), parsed >= 0 else {
                throw RefractError.invalidArgument("\(lengthHeader) must be a non-negative integer.")
            }
            decodedContentLength = parsed
        } else {
            decodedContentLength = nil
        }

        var expectedChecksums: [ChecksumAlgorithm: [UInt8]] = [:]
        for (name, value) in headers {
            guard let algorithm = ChecksumAlgorithm(headerName: name) else { continue }
            guard let digest = Self.decodeDigest(SigV4Canonical.headerValue(value), for: algorithm) else {
                throw RefractError.invalidRequest("Value for \(algorithm.headerName) header is invalid.")
            }
            expectedChecksums[algorithm] = digest
        }
        self.expectedChecksums = expectedChecksums

        var trailerChecksums: Set<ChecksumAlgorithm> = []
        for name in (header("x-amz-trailer") ?? "").split(separator: ",") {
            let trimmed = SigV4Canonical.headerValue(String(name))
            guard let algorithm = ChecksumAlgorithm(headerName: trimmed) else {
                throw RefractError.invalidRequest("The trailing header \(trimmed) is not supported.")
            }
            trailerChecksums.insert(algorithm)
        }
        if !trailerChecksums.isEmpty, case .plain = framing {
            throw RefractError.invalidRequest("x-amz-trailer needs an aws-chunked body.")
        }
        self.trailerChecksums = trailerChecksums

        let sent = Set(expectedChecksums.keys).union(trailerChecksums)
        guard sent.count <= 1 else {
            throw RefractError.invalidRequest(
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
            )
        }
        var reported = sent
        if let name = header("x-amz-sdk-checksum-algorithm") ?? header("x-amz-checksum-algorithm") {
            guard let algorithm = ChecksumAlgorithm(name: name), sent.isEmpty || sent.contains(algorithm) else {
                throw RefractError.invalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
            }
            reported.insert(algorithm)
        }
        reportedChecksums = reported
    }

    /// Wraps `body` so that reading it yields the decoded payload and fails when the payload does not match.
    public func verify(_ body: ObjectBody) -> VerifiedPayload {
        let checksums = PayloadChecksums()
        return VerifiedPayload(
            body: ObjectBody(PayloadVerifyingSequence(base: body, verifier: self, checksums: checksums)),
            checksums: checksums
        )
    }

    static func decodeDigest(_ base64: String, for algorithm: ChecksumAlgorithm) -> [UInt8]? {
        guard let data = Data(base64Encoded: base64), data.count == algorithm.digestLength else { return nil }
        return Array(data)
    }
}
