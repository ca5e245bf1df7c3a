/// Who signed a request, and what its signature says about the payload.
public struct SigV4Identity: Sendable, Equatable {
    /// How the request carried its signature.
    public enum Form: Sendable, Equatable {
        /// The `Authorization` header.
        case header
        /// `X-Amz-*` query parameters: a presigned URL.
        case presignedURL
    }

    public let accessKeyID: String
    public let form: Form
    /// The region the client signed for, from the credential scope.
    public let region: String
    /// What `x-amz-content-sha256` declared (`UNSIGNED-PAYLOAD` for a presigned URL that says nothing else).
    public let payloadHash: SigV4PayloadHash
    /// What verifying the chunk and trailer signatures of an aws-chunked body needs.
    public let chunkSigning: SigV4ChunkSigningContext

    public init(
        accessKeyID: String,
        form: Form,
        region: String,
        payloadHash: SigV4PayloadHash,
        chunkSigning: SigV4ChunkSigningContext
    ) {
        self.accessKeyID = accessKeyID
        self.form = form
        self.region = region
        self.payloadHash = payloadHash
        self.chunkSigning = chunkSigning
    }
}
