/// The outcome of signing a request.
public struct SigV4Signature: Sendable {
    /// The headers to add: `authorization`, `x-amz-date` and, for S3, `x-amz-content-sha256`.
    public let headers: [(name: String, value: String)]
    /// The request's signature: the seed an aws-chunked body's chunk signatures chain from.
    public let signature: String
}
