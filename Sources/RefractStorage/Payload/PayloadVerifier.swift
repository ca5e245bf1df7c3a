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
        let declared =
            try identity?.payloadHash
            ?? Self.value("x-amz-content-sha256", in: headers).map {
                guard let parsed = SigV4PayloadHash($0) else {
                    throw RefractError.invalidArgument("x-amz-content-sha256 must be a valid value.")
                }
                return parsed
            }

        let encodings = (Self.value("content-encoding", in: headers) ?? "").split(separator: ",")
            .map { SigV4Canonical.headerValue(String($0)) }
            .filter { !$0.isEmpty }
        let keptEncodings = encodings.filter { $0.lowercased() != "aws-chunked" }
        contentEncoding = keptEncodings.isEmpty ? nil : keptEncodings.joined(separator: ",")
        let isChunkEncoded = keptEncodings.count < encodings.count

        switch declared {
        case .streamingSigned, .streamingSignedWithTrailer:
            guard let identity else {
                throw RefractError.invalidRequest("A signed aws-chunked body needs a request signed with SigV4.")
            }
            framing = .awsChunked(
                declared == .streamingSigned
                    ? .signed(identity.chunkSigning) : .signedWithTrailer(identity.chunkSigning)
            )
            expectedSHA256 = nil
        case .streamingUnsignedWithTrailer:
            framing = .awsChunked(.unsigned)
            expectedSHA256 = nil
        case .sha256(let hex):
            framing = isChunkEncoded ? .awsChunked(.unsigned) : .plain
            expectedSHA256 = hex
        case .unsigned, nil:
            framing = isChunkEncoded ? .awsChunked(.unsigned) : .plain
            expectedSHA256 = nil
        }

        let lengthHeader =
            isChunkEncoded || declared?.isStreaming == true ? "x-amz-decoded-content-length" : "content-length"
        decodedContentLength = try Self.value(lengthHeader, in: headers).map {
            guard let length = Int($0), length >= 0 else {
                throw RefractError.invalidArgument("\(lengthHeader) must be a non-negative integer.")
            }
            return length
        }

        expectedChecksums = try Self.checksumHeaders(headers)
        trailerChecksums = try Self.trailerChecksums(headers)
        if !trailerChecksums.isEmpty, case .plain = framing {
            throw RefractError.invalidRequest("x-amz-trailer needs an aws-chunked body.")
        }
        reportedChecksums = try Self.reportedChecksums(
            headers,
            sent: Set(expectedChecksums.keys).union(trailerChecksums)
        )
    }

    /// Wraps `body` so that reading it yields the decoded payload and fails when the payload does not match.
    public func verify(_ body: ObjectBody) -> VerifiedPayload {
        let checksums = PayloadChecksums()
        return VerifiedPayload(
            body: ObjectBody(PayloadVerifyingSequence(base: body, verifier: self, checksums: checksums)),
            checksums: checksums,
            contentLength: decodedContentLength
        )
    }
}
