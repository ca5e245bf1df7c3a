public import RefractCore

/// What a function sent with `WriteGetObjectResponse` for one waiting request.
public struct FunctionDelivery: Sendable {
    /// `x-amz-fwd-status`; 200 when the function did not send one.
    public var status: Int
    /// `x-amz-fwd-error-code`: the S3 error code the client gets instead of an object.
    public var errorCode: String?
    /// `x-amz-fwd-error-message`.
    public var errorMessage: String?
    /// The object's headers: `x-amz-fwd-header-NAME` as `name`, and `x-amz-meta-*` as they are; names lower-cased.
    public var headers: [String: String]
    /// The object, as the function streams it.
    public var body: ObjectBody

    public init(
        status: Int = 200,
        errorCode: String? = nil,
        errorMessage: String? = nil,
        headers: [String: String] = [:],
        body: ObjectBody
    ) {
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.headers = headers
        self.body = body
    }

    /// Whether the function reported an error rather than sending an object.
    public var isError: Bool { errorCode != nil || status >= 400 }
}
