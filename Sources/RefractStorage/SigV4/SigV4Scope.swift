/// A credential scope, `20130524/us-east-1/s3/aws4_request`: what a signing key is derived for.
struct SigV4Scope: Sendable, Equatable {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let terminator = "aws4_request"

    /// `yyyyMMdd`.
    let day: String
    let region: String
    let service: String

    var text: String { "\(day)/\(region)/\(service)/\(Self.terminator)" }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    func signingKey(secretAccessKey: String) -> [UInt8] {
        var key = SigV4Hashing.hmac(key: Array("AWS4\(secretAccessKey)".utf8), day)
        for part in [region, service, Self.terminator] {
            key = SigV4Hashing.hmac(key: key, part)
        }
        return key
    }

    /// The string to sign for a canonical request made at `amzDate`.
    func stringToSign(canonicalRequest: String, amzDate: AmzDate) -> String {
        "\(Self.algorithm)\n\(amzDate.text)\n\(text)\n\(SigV4Hashing.sha256Hex(canonicalRequest))"
    }

    static func signature(of stringToSign: String, signingKey: [UInt8]) -> String {
        SigV4Hashing.hex(SigV4Hashing.hmac(key: signingKey, stringToSign))
    }
}
