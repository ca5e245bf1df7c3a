import Foundation
import HTTPTypes
import RefractCore

/// The four conditional headers of a GET or HEAD, evaluated as S3 does (RFC 9110 §13.2.2 order).
struct ConditionalRequest {
    var ifMatch: String?
    var ifNoneMatch: String?
    var ifModifiedSince: Date?
    var ifUnmodifiedSince: Date?

    init(_ request: GatewayRequest) {
        ifMatch = request.header(.ifMatch)
        ifNoneMatch = request.header(.ifNoneMatch)
        // An unparsable date is ignored, as HTTP requires.
        ifModifiedSince = request.header(.ifModifiedSince).flatMap(HTTPDate.parse)
        ifUnmodifiedSince = request.header(.ifUnmodifiedSince).flatMap(HTTPDate.parse)
    }

    /// Throws `PreconditionFailed` (412) or `NotModified` (304) when a condition says so.
    func evaluate(etag: String, lastModified: Date) throws(RefractError) {
        // HTTP dates have whole seconds; the stored time may not.
        let modified = lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch {
            guard Self.matches(ifMatch, etag: etag) else { throw RefractError.preconditionFailed() }
        } else if let ifUnmodifiedSince, modified > ifUnmodifiedSince.timeIntervalSince1970 {
            throw RefractError.preconditionFailed()
        }
        if let ifNoneMatch {
            if Self.matches(ifNoneMatch, etag: etag) { throw RefractError.notModified }
        } else if let ifModifiedSince, modified <= ifModifiedSince.timeIntervalSince1970 {
            throw RefractError.notModified
        }
    }

    /// Whether the answer is `304 Not Modified`, for callers that send their own 304 headers; throws
    /// `PreconditionFailed` (412) as ``evaluate(etag:lastModified:)`` does.
    func isNotModified(etag: String, lastModified: Date) throws(RefractError) -> Bool {
        do {
            try evaluate(etag: etag, lastModified: lastModified)
            return false
        } catch {
            guard error.hasSameCode(as: .notModified) else { throw error }
            return true
        }
    }

    /// Whether a list of entity tags (`"a", W/"b"` or `*`) names `etag`; weak tags compare by their value.
    static func matches(_ list: String, etag: String) -> Bool {
        let wanted = unquoted(etag)
        return list.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || unquoted(tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == wanted
        }
    }

    private static func unquoted(_ tag: String) -> Substring {
        tag.count >= 2 && tag.hasPrefix("\"") && tag.hasSuffix("\"") ? tag.dropFirst().dropLast() : Substring(tag)
    }
}
