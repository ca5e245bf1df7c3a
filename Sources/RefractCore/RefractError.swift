/// An error a client sees: an S3 error code, its HTTP status and a message.
///
/// Every failure that reaches a client is a `RefractError`, rendered by the server as S3's XML error body.
/// The codes are S3's own where S3 has one, and the gateway's (SPEC §6) otherwise.
public struct RefractError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case accessDenied = "AccessDenied"
        case authorizationHeaderMalformed = "AuthorizationHeaderMalformed"
        case badDigest = "BadDigest"
        case entityTooSmall = "EntityTooSmall"
        case incompleteBody = "IncompleteBody"
        case internalError = "InternalError"
        case invalidAccessKeyId = "InvalidAccessKeyId"
        case invalidArgument = "InvalidArgument"
        case invalidBucketName = "InvalidBucketName"
        case invalidDigest = "InvalidDigest"
        case invalidPart = "InvalidPart"
        case invalidPartOrder = "InvalidPartOrder"
        case invalidRange = "InvalidRange"
        case invalidRequest = "InvalidRequest"
        case invalidTransform = "InvalidTransform"
        case lambdaResponseNotReceived = "LambdaResponseNotReceived"
        case lambdaRuntimeError = "LambdaRuntimeError"
        case lambdaTimeout = "LambdaTimeout"
        case malformedXML = "MalformedXML"
        case methodNotAllowed = "MethodNotAllowed"
        case missingContentLength = "MissingContentLength"
        case noSuchBucket = "NoSuchBucket"
        case noSuchKey = "NoSuchKey"
        case noSuchUpload = "NoSuchUpload"
        case notImplemented = "NotImplemented"
        case notModified = "NotModified"
        case preconditionFailed = "PreconditionFailed"
        case requestTimeTooSkewed = "RequestTimeTooSkewed"
        case serviceUnavailable = "ServiceUnavailable"
        case signatureDoesNotMatch = "SignatureDoesNotMatch"
        case slowDown = "SlowDown"
        case sourceTooLarge = "SourceTooLarge"
        case transformFailed = "TransformFailed"
        case transformTimeout = "TransformTimeout"
        case unprocessableSource = "UnprocessableSource"
        case unsupportedMediaType = "UnsupportedMediaType"
        case xAmzContentSHA256Mismatch = "XAmzContentSHA256Mismatch"

        var status: Int {
            switch self {
            case .notModified: 304
            case .authorizationHeaderMalformed, .badDigest, .entityTooSmall, .incompleteBody, .invalidArgument,
                .invalidBucketName, .invalidDigest, .invalidPart, .invalidPartOrder, .invalidRequest,
                .invalidTransform, .malformedXML, .xAmzContentSHA256Mismatch:
                400
            case .accessDenied, .invalidAccessKeyId, .requestTimeTooSkewed, .signatureDoesNotMatch: 403
            case .noSuchBucket, .noSuchKey, .noSuchUpload: 404
            case .methodNotAllowed: 405
            case .missingContentLength: 411
            case .preconditionFailed: 412
            case .sourceTooLarge: 413
            case .unsupportedMediaType: 415
            case .invalidRange: 416
            case .unprocessableSource: 422
            case .internalError, .lambdaResponseNotReceived, .lambdaRuntimeError, .lambdaTimeout: 500
            case .notImplemented: 501
            case .transformFailed: 502
            case .serviceUnavailable, .slowDown: 503
            case .transformTimeout: 504
            }
        }
    }

    /// A code and status a transform function chose itself (S3 Object Lambda's `x-amz-fwd-error-code`).
    private struct FunctionCode: Sendable, Equatable {
        var name: String
        var status: Int
    }

    private let code: Code
    private var functionCode: FunctionCode?
    /// A human-readable explanation, safe to show to the client.
    public let message: String
    /// Seconds a client should wait before retrying (sent as `Retry-After`), for `SlowDown`.
    public let retryAfterSeconds: Int?
    /// The entity tag a `304` or `412` answer carries, when the store that evaluated the condition reported it.
    public private(set) var entityTag: String?

    private init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The error S3 answers with `code` (`NoSuchKey`, `SlowDown`, ...), or nil when Refract has no such code.
    public init?(s3Code: String, message: String) {
        guard let code = Code(rawValue: s3Code) else { return nil }
        self.init(code, message, retryAfterSeconds: code == .slowDown ? 1 : nil)
    }

    /// The same error, carrying the entity tag of the object whose condition it reports.
    public func withEntityTag(_ etag: String?) -> RefractError {
        var error = self
        error.entityTag = etag
        return error
    }

    /// The S3 error code, as written in `<Code>`.
    public var s3Code: String { functionCode?.name ?? code.rawValue }
    /// The HTTP status the error is answered with.
    public var httpStatus: Int { functionCode?.status ?? code.status }
    public var description: String { "\(s3Code): \(message)" }

    /// Whether `other` has the same error code, whatever its message.
    public func hasSameCode(as other: RefractError) -> Bool { s3Code == other.s3Code }

    /// The error a transform function reported for the object, with its own code and status (400 to 599), as an S3
    /// Object Lambda function does with `x-amz-fwd-error-code` and `x-amz-fwd-status`.
    public static func reportedByFunction(code: String, status: Int, message: String) -> RefractError {
        var error = RefractError(.transformFailed, message)
        error.functionCode = FunctionCode(name: code, status: (400...599).contains(status) ? status : 500)
        return error
    }

    public static func accessDenied(_ message: String = "Access Denied") -> RefractError {
        RefractError(.accessDenied, message)
    }
    public static func authorizationHeaderMalformed(_ message: String) -> RefractError {
        RefractError(.authorizationHeaderMalformed, message)
    }
    public static func badDigest(
        _ message: String = "The Content-MD5 you specified did not match what we received."
    ) -> RefractError {
        RefractError(.badDigest, message)
    }
    public static func entityTooSmall(
        _ message: String = "Your proposed upload is smaller than the minimum allowed object size."
    ) -> RefractError {
        RefractError(.entityTooSmall, message)
    }
    public static func incompleteBody(
        _ message: String = "You did not provide the number of bytes specified by the Content-Length HTTP header."
    ) -> RefractError {
        RefractError(.incompleteBody, message)
    }
    public static func internalError(
        _ message: String = "We encountered an internal error. Please try again."
    ) -> RefractError {
        RefractError(.internalError, message)
    }
    public static func invalidAccessKeyId(
        _ message: String = "The AWS Access Key Id you provided does not exist in our records."
    ) -> RefractError {
        RefractError(.invalidAccessKeyId, message)
    }
    public static func invalidArgument(_ message: String) -> RefractError {
        RefractError(.invalidArgument, message)
    }
    public static func invalidBucketName(_ message: String = "The specified bucket is not valid.") -> RefractError {
        RefractError(.invalidBucketName, message)
    }
    public static func invalidDigest(
        _ message: String = "The Content-MD5 you specified is not valid."
    ) -> RefractError {
        RefractError(.invalidDigest, message)
    }
    public static func invalidPart(
        _ message: String = "One or more of the specified parts could not be found."
    ) -> RefractError {
        RefractError(.invalidPart, message)
    }
    public static func invalidPartOrder(
        _ message: String = "The list of parts was not in ascending order."
    ) -> RefractError {
        RefractError(.invalidPartOrder, message)
    }
    public static func invalidRange(_ message: String = "The requested range is not satisfiable") -> RefractError {
        RefractError(.invalidRange, message)
    }
    public static func invalidRequest(_ message: String) -> RefractError {
        RefractError(.invalidRequest, message)
    }
    public static func invalidTransform(_ message: String) -> RefractError {
        RefractError(.invalidTransform, message)
    }
    public static func lambdaResponseNotReceived(
        _ message: String = "The function did not send the object with WriteGetObjectResponse."
    ) -> RefractError {
        RefractError(.lambdaResponseNotReceived, message)
    }
    public static func lambdaRuntimeError(_ message: String) -> RefractError {
        RefractError(.lambdaRuntimeError, message)
    }
    public static func lambdaTimeout(_ message: String = "The function did not answer in time.") -> RefractError {
        RefractError(.lambdaTimeout, message)
    }
    public static func malformedXML(
        _ message: String = "The XML you provided was not well-formed or did not validate against our published schema."
    ) -> RefractError {
        RefractError(.malformedXML, message)
    }
    public static func methodNotAllowed(
        _ message: String = "The specified method is not allowed against this resource."
    ) -> RefractError {
        RefractError(.methodNotAllowed, message)
    }
    public static func missingContentLength(
        _ message: String = "You must provide the Content-Length HTTP header."
    ) -> RefractError {
        RefractError(.missingContentLength, message)
    }
    public static func noSuchBucket(_ message: String = "The specified bucket does not exist") -> RefractError {
        RefractError(.noSuchBucket, message)
    }
    public static func noSuchKey(_ message: String = "The specified key does not exist.") -> RefractError {
        RefractError(.noSuchKey, message)
    }
    public static func noSuchUpload(
        _ message: String =
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    ) -> RefractError {
        RefractError(.noSuchUpload, message)
    }
    public static func notImplemented(
        _ message: String = "A header or query you provided implies functionality that is not implemented."
    ) -> RefractError {
        RefractError(.notImplemented, message)
    }
    /// Not a failure: a conditional GET whose answer is 304, carried as an error so it can leave any depth.
    public static let notModified = RefractError(.notModified, "Not Modified")
    public static func preconditionFailed(
        _ message: String = "At least one of the pre-conditions you specified did not hold"
    ) -> RefractError {
        RefractError(.preconditionFailed, message)
    }
    public static func requestTimeTooSkewed(
        _ message: String = "The difference between the request time and the current time is too large."
    ) -> RefractError {
        RefractError(.requestTimeTooSkewed, message)
    }
    public static func serviceUnavailable(_ message: String = "The object store is unreachable.") -> RefractError {
        RefractError(.serviceUnavailable, message)
    }
    public static func signatureDoesNotMatch(
        _ message: String =
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."
    ) -> RefractError {
        RefractError(.signatureDoesNotMatch, message)
    }
    public static func slowDown(
        _ message: String = "The transform queue is full. Please reduce your request rate.",
        retryAfterSeconds: Int = 1
    ) -> RefractError {
        RefractError(.slowDown, message, retryAfterSeconds: retryAfterSeconds)
    }
    public static func sourceTooLarge(_ message: String) -> RefractError {
        RefractError(.sourceTooLarge, message)
    }
    public static func transformFailed(_ message: String) -> RefractError {
        RefractError(.transformFailed, message)
    }
    public static func transformTimeout(_ message: String = "The transform did not finish in time.") -> RefractError {
        RefractError(.transformTimeout, message)
    }
    public static func unprocessableSource(_ message: String) -> RefractError {
        RefractError(.unprocessableSource, message)
    }
    public static func unsupportedMediaType(_ message: String) -> RefractError {
        RefractError(.unsupportedMediaType, message)
    }
    public static func xAmzContentSHA256Mismatch(
        _ message: String = "The provided 'x-amz-content-sha256' header does not match what was computed."
    ) -> RefractError {
        RefractError(.xAmzContentSHA256Mismatch, message)
    }
}
