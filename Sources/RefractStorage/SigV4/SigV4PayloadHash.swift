/// What a request's `x-amz-content-sha256` declares about its payload.
public enum SigV4PayloadHash: Sendable, Equatable {
    /// The SHA-256 of the payload, lowercase hex: the payload must hash to it.
    case sha256(String)
    /// `UNSIGNED-PAYLOAD`: the payload is not covered by the signature.
    case unsigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked, each chunk signed.
    case streamingSigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: aws-chunked, each chunk and the trailer signed.
    case streamingSignedWithTrailer
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: aws-chunked, unsigned, with a trailer (usually a checksum).
    case streamingUnsignedWithTrailer

    /// Parses a header value; nil when it is none of the forms S3 accepts (SigV4a's ECDSA forms included).
    public init?(_ value: String) {
        switch value {
        case "UNSIGNED-PAYLOAD": self = .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": self = .streamingSigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": self = .streamingSignedWithTrailer
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": self = .streamingUnsignedWithTrailer
        default:
            guard value.utf8.count == 64, value.utf8.allSatisfy(\.isHexDigit) else { return nil }
            self = .sha256(value.lowercased())
        }
    }

    /// The header value.
    public var value: String {
        switch self {
        case .sha256(let hex): hex
        case .unsigned: "UNSIGNED-PAYLOAD"
        case .streamingSigned: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        case .streamingSignedWithTrailer: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
        case .streamingUnsignedWithTrailer: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        }
    }

    /// Whether the body is aws-chunked framed.
    public var isStreaming: Bool {
        switch self {
        case .sha256, .unsigned: false
        case .streamingSigned, .streamingSignedWithTrailer, .streamingUnsignedWithTrailer: true
        }
    }
}
