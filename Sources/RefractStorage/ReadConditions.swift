public import Foundation
public import RefractCore

/// The four conditional headers of a GET or HEAD, as the client sent them, evaluated as S3 does
/// (RFC 9110 §13.2.2 order).
///
/// Stores evaluate them against the object they read; an S3 store forwards them, so a `304` costs the store no body.
public struct ReadConditions: Sendable, Equatable {
    public var ifMatch: String?
    public var ifNoneMatch: String?
    /// `If-Modified-Since` as sent; a date that does not parse is ignored, as HTTP requires.
    public var ifModifiedSince: String?
    public var ifUnmodifiedSince: String?

    /// No condition: every read proceeds.
    public static let none = ReadConditions()

    public init(
        ifMatch: String? = nil,
        ifNoneMatch: String? = nil,
        ifModifiedSince: String? = nil,
        ifUnmodifiedSince: String? = nil
    ) {
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.ifUnmodifiedSince = ifUnmodifiedSince
    }

    /// The headers to forward, by their lower-cased names.
    ///
    /// A date condition beside its entity-tag counterpart is left out: HTTP says to ignore it then, and not every
    /// S3-compatible store does.
    public var headers: [(name: String, value: String)] {
        [
            ("if-match", ifMatch), ("if-none-match", ifNoneMatch),
            ("if-modified-since", ifNoneMatch == nil ? ifModifiedSince : nil),
            ("if-unmodified-since", ifMatch == nil ? ifUnmodifiedSince : nil),
        ].compactMap { name, value in value.map { (name, $0) } }
    }

    /// Throws `PreconditionFailed` (412) or `NotModified` (304), carrying `etag`, when a condition says so.
    public func evaluate(etag: String, lastModified: Date) throws(RefractError) {
        // HTTP dates have whole seconds; the stored time may not.
        let modified = lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch {
            guard Self.matches(ifMatch, etag: etag) else {
                throw RefractError.preconditionFailed().withEntityTag(etag)
            }
        } else if let since = ifUnmodifiedSince.flatMap(HTTPDate.parse), modified > since.timeIntervalSince1970 {
            throw RefractError.preconditionFailed().withEntityTag(etag)
        }
        if let ifNoneMatch {
            if Self.matches(ifNoneMatch, etag: etag) { throw RefractError.notModified.withEntityTag(etag) }
        } else if let since = ifModifiedSince.flatMap(HTTPDate.parse), modified <= since.timeIntervalSince1970 {
            throw RefractError.notModified.withEntityTag(etag)
        }
    }

    /// Whether the answer is `304 Not Modified`, for callers that send their own 304 headers; throws
    /// `PreconditionFailed` (412) as ``evaluate(etag:lastModified:)`` does.
    public func isNotModified(etag: String, lastModified: Date) throws(RefractError) -> Bool {
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
