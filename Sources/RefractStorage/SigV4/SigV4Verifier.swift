public import Foundation
import RefractCore

/// Checks the AWS Signature Version 4 of a request as a server receives it, by S3's rules.
///
/// Both forms are understood: the `Authorization` header and the presigned URL's `X-Amz-*` query parameters. Any
/// region is accepted (the key is derived for the one the client signed for); the service must be one of
/// `services`. An `Authorization` that is not SigV4 (`Bearer`, SigV2's `AWS `) is refused, so the server decides on
/// other schemes before asking.
public struct SigV4Verifier: Sendable {
    /// The services a scope may name: `s3`, and whatever else this endpoint answers as.
    public let services: Set<String>
    /// How far a header-signed request's time may be from the server's, either way; a presigned URL may not start
    /// later than this ahead.
    public let allowedClockSkew: Duration

    public init(services: Set<String> = ["s3"], allowedClockSkew: Duration = .seconds(15 * 60)) {
        self.services = services
        self.allowedClockSkew = allowedClockSkew
    }

    /// Verifies a request's signature.
    ///
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - rawPath: The path as received, still percent-encoded, without the query.
    ///   - rawQuery: The query as received, without `?`.
    ///   - headers: The headers as received; `host` may be given as `:authority`.
    ///   - now: The server's time.
    ///   - secretAccessKey: The secret of an access key id, nil for a key that does not exist.
    /// - Returns: nil when the request carries no credentials (anonymous), else who signed it.
    /// - Throws: `AuthorizationHeaderMalformed`, `AccessDenied`, `InvalidAccessKeyId`, `SignatureDoesNotMatch`,
    ///   `RequestTimeTooSkewed`, `InvalidArgument`, `InvalidRequest`, as S3 does.
    public func verify(
        method: String,
        rawPath: String,
        rawQuery: String,
        headers: [(name: String, value: String)],
        now: Date,
        secretAccessKey: (String) throws -> String?
    ) throws -> SigV4Identity? {
        let authorization = headers.first { $0.name.lowercased() == "authorization" }?.value
        let parameters = SigV4Canonical.parameters(rawQuery: rawQuery)
        let isPresigned = parameters.contains { SigV4ReceivedAuthorization.queryMarkers.contains($0.name) }
        let request: SigV4ReceivedAuthorization
        switch (authorization, isPresigned) {
        case (nil, false):
            return nil
        case (.some, true):
            throw RefractError.invalidArgument(
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization "
                    + "header should be specified"
            )
        case (let header?, false):
            request = try SigV4ReceivedAuthorization(header: header, headers: headers, now: now, skew: allowedClockSkew)
        case (nil, true):
            request = try SigV4ReceivedAuthorization(query: parameters, now: now, skew: allowedClockSkew)
        }
        guard services.contains(request.scope.service) else {
            throw RefractError.authorizationHeaderMalformed(
                "The authorization header is malformed; incorrect service \"\(request.scope.service)\". "
                    + "This endpoint belongs to \"\(services.sorted().joined(separator: "\", \""))\"."
            )
        }
        try checkSignedHeaders(request.signedHeaders, headers: headers)
        guard let secret = try secretAccessKey(request.accessKeyID) else {
            throw RefractError.invalidAccessKeyId()
        }
        let canonicalRequest = SigV4Canonical.request(
            method: method,
            rawPath: rawPath,
            canonicalQuery: SigV4Canonical.query(
                rawQuery: rawQuery,
                excluding: request.form == .presignedURL ? "X-Amz-Signature" : nil
            ),
            headers: headers,
            signedHeaders: request.signedHeaders,
            payloadHash: request.payloadHashText
        )
        let signingKey = request.scope.signingKey(secretAccessKey: secret)
        let expected = SigV4Scope.signature(
            of: request.scope.stringToSign(canonicalRequest: canonicalRequest, amzDate: request.amzDate),
            signingKey: signingKey
        )
        guard SigV4Hashing.constantTimeEquals(expected, request.signature) else {
            throw RefractError.signatureDoesNotMatch()
        }
        return SigV4Identity(
            accessKeyID: request.accessKeyID,
            form: request.form,
            region: request.scope.region,
            payloadHash: request.payloadHash,
            chunkSigning: SigV4ChunkSigningContext(
                seedSignature: expected,
                amzDate: request.amzDate,
                scope: request.scope,
                signingKey: signingKey
            )
        )
    }

    /// `host` must be signed, and so must every `x-amz-*` header sent: otherwise they could be changed in flight.
    private func checkSignedHeaders(_ signedHeaders: [String], headers: [(name: String, value: String)]) throws {
        let signed = Set(signedHeaders)
        guard signed.contains("host") else {
            throw RefractError.authorizationHeaderMalformed(
                "The authorization header is malformed; the host header must be signed."
            )
        }
        for (name, _) in headers {
            let lowercased = name.lowercased()
            if lowercased.hasPrefix("x-amz-") && !signed.contains(lowercased) {
                throw RefractError.accessDenied(
                    "There were headers present in the request which were not signed: \(lowercased)"
                )
            }
        }
    }
}
