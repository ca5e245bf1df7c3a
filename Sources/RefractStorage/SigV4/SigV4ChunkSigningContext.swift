public import Foundation

/// What chains the signatures of an aws-chunked body to its request: the seed signature and the key behind it.
///
/// Each chunk is signed over `AWS4-HMAC-SHA256-PAYLOAD`, the request time, the scope, the previous signature (the
/// seed for the first chunk), the hash of the empty string and the hash of the chunk's data; the trailer, in the
/// `-TRAILER` variants, over `AWS4-HMAC-SHA256-TRAILER`, the last chunk's signature and the hash of its lines.
public struct SigV4ChunkSigningContext: Sendable, Equatable {
    /// The request's own signature, which the first chunk's signature chains from.
    public let seedSignature: String
    let amzDate: AmzDate
    let scope: SigV4Scope
    let signingKey: [UInt8]

    init(seedSignature: String, amzDate: AmzDate, scope: SigV4Scope, signingKey: [UInt8]) {
        self.seedSignature = seedSignature
        self.amzDate = amzDate
        self.scope = scope
        self.signingKey = signingKey
    }

    /// The context of a request signed with `credentials` at `date` for `region` and `service`.
    public init(
        seedSignature: String,
        credentials: SigV4Credentials,
        date: Date,
        region: String,
        service: String = "s3"
    ) {
        let amzDate = AmzDate(date)
        let scope = SigV4Scope(day: amzDate.day, region: region, service: service)
        self.init(
            seedSignature: seedSignature,
            amzDate: amzDate,
            scope: scope,
            signingKey: scope.signingKey(secretAccessKey: credentials.secretAccessKey)
        )
    }

    /// The signature of a chunk whose data hashes to `dataSHA256` (lowercase hex), following `previousSignature`.
    public func chunkSignature(dataSHA256: String, previousSignature: String) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256-PAYLOAD", amzDate.text, scope.text, previousSignature, SigV4Hashing.emptySHA256,
            dataSHA256,
        ].joined(separator: "\n")
        return SigV4Scope.signature(of: stringToSign, signingKey: signingKey)
    }

    /// The signature of a trailer, following the final chunk's signature.
    ///
    /// `trailers` are the trailing headers other than `x-amz-trailer-signature`; each is signed as a
    /// `name:value\n` line, names lower-cased, in name order.
    public func trailerSignature(trailers: [(name: String, value: String)], previousSignature: String) -> String {
        let lines =
            trailers
            .map { (name: $0.name.lowercased(), value: SigV4Canonical.headerValue($0.value)) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            .map { "\($0.name):\($0.value)\n" }
            .joined()
        let stringToSign = [
            "AWS4-HMAC-SHA256-TRAILER", amzDate.text, scope.text, previousSignature, SigV4Hashing.sha256Hex(lines),
        ].joined(separator: "\n")
        return SigV4Scope.signature(of: stringToSign, signingKey: signingKey)
    }
}
