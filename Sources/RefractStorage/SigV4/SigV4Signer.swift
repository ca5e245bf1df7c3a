public import Foundation
import RefractCore
import Synchronization

/// Signs requests with AWS Signature Version 4, by S3's canonicalisation rules.
///
/// Paths and queries are given as they go on the wire (percent-encoded); the signer canonicalises them the way the
/// receiving S3 does, so a path written `/a$b` and one written `/a%24b` sign alike. For services other than S3 the
/// signature is right only for paths that need neither normalising nor double encoding.
public struct SigV4Signer: Sendable {
    public let credentials: SigV4Credentials
    public let region: String
    public let service: String
    private let keyCache = SigningKeyCache()

    /// Headers a proxy or the HTTP client may change or drop, which must not be signed.
    private static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id",
    ]

    /// The longest validity of a presigned URL: seven days.
    public static let maxPresignedValidity: Duration = .seconds(7 * 24 * 3600)

    public init(credentials: SigV4Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs a request for the `Authorization` header.
    ///
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The path as sent, percent-encoded, without the query.
    ///   - query: The query as sent, without `?`.
    ///   - headers: The headers that will be sent, `host` among them (with its port, if not the scheme's default).
    ///     All are signed except `authorization`, `user-agent`, `expect`, `connection`, `transfer-encoding` and
    ///     `x-amzn-trace-id`; an `x-amz-date` (and, for S3, `x-amz-content-sha256`) given is replaced.
    ///   - payloadHash: What `x-amz-content-sha256` declares.
    ///   - date: The signing time.
    /// - Returns: The headers to add to the request and the signature (the seed of an aws-chunked body).
    public func sign(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)],
        payloadHash: SigV4PayloadHash,
        date: Date = Date()
    ) -> SigV4Signature {
        let amzDate = AmzDate(date)
        var added: [(name: String, value: String)] = [("x-amz-date", amzDate.text)]
        // S3 and its variants (s3-object-lambda, s3express) sign the payload hash as a header; other services do not.
        if service.hasPrefix("s3") {
            added.append(("x-amz-content-sha256", payloadHash.value))
        }
        let replaced = Set(added.map(\.name))
        let signable =
            headers.filter {
                let name = $0.name.lowercased()
                return !Self.unsignedHeaders.contains(name) && !replaced.contains(name)
            } + added
        let signedHeaders = Set(signable.map { $0.name.lowercased() }).sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        let canonicalRequest = SigV4Canonical.request(
            method: method,
            rawPath: path,
            canonicalQuery: SigV4Canonical.query(rawQuery: query),
            headers: signable,
            signedHeaders: signedHeaders,
            payloadHash: payloadHash.value
        )
        let scope = SigV4Scope(day: amzDate.day, region: region, service: service)
        let signature = signature(canonicalRequest: canonicalRequest, amzDate: amzDate, scope: scope)
        let authorization =
            "\(SigV4Scope.algorithm) Credential=\(credentials.accessKeyID)/\(scope.text), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        return SigV4Signature(headers: [("authorization", authorization)] + added, signature: signature)
    }

    /// A presigned URL's path and query: the request's own query followed by the `X-Amz-*` parameters.
    ///
    /// Only `host` is signed and the payload is `UNSIGNED-PAYLOAD`, as S3 SDKs presign.
    ///
    /// - Parameters:
    ///   - path: The path as sent, percent-encoded.
    ///   - query: The request's own query, without `?`.
    ///   - host: The `Host` the URL will be requested with, port included when not the scheme's default.
    ///   - expires: How long the URL stays valid: one second to seven days.
    ///   - date: The signing time, from which `expires` counts.
    /// - Throws: `InvalidArgument` when `expires` is out of range.
    public func presign(
        method: String,
        path: String,
        query: String = "",
        host: String,
        expires: Duration,
        date: Date = Date()
    ) throws -> String {
        let seconds = expires.components.seconds
        guard seconds >= 1, expires <= Self.maxPresignedValidity else {
            throw RefractError.invalidArgument("X-Amz-Expires must be between 1 second and 7 days.")
        }
        let amzDate = AmzDate(date)
        let scope = SigV4Scope(day: amzDate.day, region: region, service: service)
        let credential = SigV4Canonical.encode("\(credentials.accessKeyID)/\(scope.text)".utf8, keepingSlash: false)
        let authQuery = [
            "X-Amz-Algorithm=\(SigV4Scope.algorithm)", "X-Amz-Credential=\(credential)", "X-Amz-Date=\(amzDate.text)",
            "X-Amz-Expires=\(seconds)", "X-Amz-SignedHeaders=host",
        ].joined(separator: "&")
        let signedQuery = query.isEmpty ? authQuery : "\(query)&\(authQuery)"
        let canonicalRequest = SigV4Canonical.request(
            method: method,
            rawPath: path,
            canonicalQuery: SigV4Canonical.query(rawQuery: signedQuery),
            headers: [("host", host)],
            signedHeaders: ["host"],
            payloadHash: SigV4PayloadHash.unsigned.value
        )
        let signature = signature(canonicalRequest: canonicalRequest, amzDate: amzDate, scope: scope)
        return "\(path)?\(signedQuery)&X-Amz-Signature=\(signature)"
    }

    private func signature(canonicalRequest: String, amzDate: AmzDate, scope: SigV4Scope) -> String {
        let key = keyCache.key(for: amzDate.day) { scope.signingKey(secretAccessKey: credentials.secretAccessKey) }
        return SigV4Scope.signature(
            of: scope.stringToSign(canonicalRequest: canonicalRequest, amzDate: amzDate),
            signingKey: key
        )
    }
}

/// The last signing key derived, reused for the rest of its day: deriving one costs four HMACs.
private final class SigningKeyCache: Sendable {
    private let entry = Mutex<(day: String, key: [UInt8])?>(nil)

    func key(for day: String, derive: () -> [UInt8]) -> [UInt8] {
        if let cached = entry.withLock({ $0 }), cached.day == day {
            return cached.key
        }
        let key = derive()
        entry.withLock { $0 = (day, key) }
        return key
    }
}
