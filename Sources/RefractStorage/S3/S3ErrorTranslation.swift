import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import RefractCore

/// Turns what the store answered, or failed to, into the error the client gets.
///
/// An error the store names with an S3 code keeps its code and message, so the client sees what S3 itself would
/// have said; a store that cannot be reached or stops answering is `ServiceUnavailable`.
enum S3ErrorTranslation {
    /// The most of an error body read: S3's are a few hundred bytes.
    static let maxErrorBodyBytes = 64 * 1024
    private static let credentialCodes: Set<String> = [
        "AuthorizationHeaderMalformed", "InvalidAccessKeyId", "RequestTimeTooSkewed", "SignatureDoesNotMatch",
    ]

    /// The error for a failed exchange: a `RefractError` (a body that failed its checks) passes through.
    static func transportError(_ error: any Error, store: String) -> any Error {
        if error is RefractError || error is CancellationError { return error }
        return RefractError.serviceUnavailable("The object store \(store) is unreachable: \(describe(error)).")
    }

    /// The error for an answer with a status that is not a success; reads the error document when there is one.
    ///
    /// - Parameter missing: What a `404` without a document means for this request (`NoSuchKey`, `NoSuchBucket`).
    static func responseError(
        _ response: HTTPClientResponse,
        missing: RefractError,
        store: String
    ) async -> RefractError {
        let etag = response.headers.first(name: "etag")
        var document: XMLElement?
        if let buffer = try? await response.body.collect(upTo: maxErrorBodyBytes) {
            document = try? XMLElement.parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
        }
        return error(status: response.status, document: document, missing: missing, store: store)
            .withEntityTag(etag)
    }

    /// The error for `status` and the `<Error>` document the store sent with it, if any.
    static func error(
        status: HTTPResponseStatus,
        document: XMLElement?,
        missing: RefractError,
        store: String
    ) -> RefractError {
        if let document, document.name == "Error", let code = document.childText("Code") {
            let message = document.childText("Message") ?? "The object store \(store) answered \(code)."
            // These speak of the gateway's own credentials at the store, not of the client's signature.
            if credentialCodes.contains(code) {
                return .accessDenied("The object store \(store) refused the gateway's credentials: \(message)")
            }
            if let known = RefractError(s3Code: code, message: message) { return known }
        }
        switch status.code {
        case 304: return .notModified
        case 403: return .accessDenied("The object store \(store) refused the request.")
        case 404: return missing
        case 412: return .preconditionFailed()
        case 416: return .invalidRange()
        case 400..<500: return .invalidRequest("The object store \(store) refused the request (\(status.code)).")
        case 503: return .serviceUnavailable("The object store \(store) is unavailable.")
        default: return .internalError("The object store \(store) failed (\(status.code)).")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError { return clientError.description }
        return String(describing: error)
    }
}
