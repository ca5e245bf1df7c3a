public import Foundation
public import RefractCore

/// A place objects live: the filesystem store, an S3-compatible store.
///
/// Bucket names here are the store's own; the server maps the names clients use onto them.
/// Every failure is a `RefractError` (`NoSuchBucket`, `NoSuchKey`, `ServiceUnavailable`, ...).
public protocol ObjectStore: Sendable {
    /// A short name for logs and metrics (`filesystem`, `s3`).
    var kind: String { get }

    /// Where the objects are, for logs: a folder, an endpoint URL.
    var location: String { get }

    /// Throws `ServiceUnavailable` when the store cannot be reached.
    func checkReady() async throws

    /// Throws `NoSuchBucket` when the bucket does not exist.
    func checkBucket(_ bucket: String) async throws

    /// The object's metadata, without its body; `conditions` that fail throw `NotModified` or `PreconditionFailed`.
    func head(bucket: String, key: String, conditions: ReadConditions) async throws -> ObjectInfo

    /// The object's metadata and its bytes, or the bytes of `range` within it.
    ///
    /// `conditions` are evaluated before the range, as S3 does: a failing one throws `NotModified` or
    /// `PreconditionFailed` carrying the object's entity tag. An unsatisfiable range throws `InvalidRange`.
    /// The body streams with backpressure; a consumer that stops reading it ends the read.
    func get(bucket: String, key: String, range: ByteRange?, conditions: ReadConditions) async throws -> ObjectRead

    /// Stores `body` under `key`, visible to readers only once it is complete and verified.
    ///
    /// `body` may throw (a checksum that did not match, a client that went away): nothing is stored then.
    func put(bucket: String, key: String, body: ObjectBody, options: PutOptions) async throws -> ObjectInfo

    /// Removes the object; removing a missing object succeeds, as in S3.
    func delete(bucket: String, key: String) async throws

    /// One page of the bucket's keys, in S3's ListObjectsV2 order and semantics.
    func list(bucket: String, query: ListQuery) async throws -> ListPage

    func createMultipartUpload(bucket: String, key: String, options: PutOptions) async throws -> String
    func uploadPart(
        bucket: String,
        key: String,
        uploadID: String,
        partNumber: Int,
        body: ObjectBody,
        contentLength: Int?,
        contentMD5: [UInt8]?
    ) async throws -> PartInfo
    func listParts(bucket: String, key: String, uploadID: String) async throws -> [PartInfo]
    func completeMultipartUpload(
        bucket: String,
        key: String,
        uploadID: String,
        parts: [CompletedPart]
    ) async throws -> ObjectInfo
    func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws

    /// Releases the store's connections; called once, when the gateway stops.
    func shutdown() async throws
}

extension ObjectStore {
    public func shutdown() async throws {}

    /// The object's metadata, unconditionally.
    public func head(bucket: String, key: String) async throws -> ObjectInfo {
        try await head(bucket: bucket, key: key, conditions: .none)
    }

    /// The object, or `range` of it, unconditionally.
    public func get(bucket: String, key: String, range: ByteRange?) async throws -> ObjectRead {
        try await get(bucket: bucket, key: key, range: range, conditions: .none)
    }
}

/// What a store knows of an object without reading it.
public struct ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int
    /// The entity tag with its quotes, as sent in the `ETag` header.
    public var etag: String
    public var lastModified: Date
    public var contentType: String
    /// `x-amz-meta-*` values, keyed by the lower-cased name without the prefix.
    public var userMetadata: [String: String]

    public init(
        key: String,
        size: Int,
        etag: String,
        lastModified: Date,
        contentType: String,
        userMetadata: [String: String] = [:]
    ) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
        self.userMetadata = userMetadata
    }
}

/// An object being read: its metadata, the part of it the body holds, and the body.
public struct ObjectRead: Sendable {
    public var info: ObjectInfo
    /// The byte range the body holds, nil for the whole object.
    public var range: ClosedRange<Int>?
    public var body: ObjectBody

    public init(info: ObjectInfo, range: ClosedRange<Int>?, body: ObjectBody) {
        self.info = info
        self.range = range
        self.body = body
    }
}

/// What a writer says about the object it writes.
public struct PutOptions: Sendable, Equatable {
    public var contentType: String?
    public var userMetadata: [String: String]
    /// The `Content-MD5` the client sent, decoded; the store refuses the body with `BadDigest` if it differs.
    public var contentMD5: [UInt8]?
    /// The body's length when the client declared it; an S3 store refuses a body of unknown length with
    /// `MissingContentLength`, as S3 does.
    public var contentLength: Int?

    public init(
        contentType: String? = nil,
        userMetadata: [String: String] = [:],
        contentMD5: [UInt8]? = nil,
        contentLength: Int? = nil
    ) {
        self.contentType = contentType
        self.userMetadata = userMetadata
        self.contentMD5 = contentMD5
        self.contentLength = contentLength
    }
}

/// The parameters of ListObjectsV2.
public struct ListQuery: Sendable, Equatable {
    public var prefix: String
    public var delimiter: String?
    public var maxKeys: Int
    /// The key to list after: from `continuation-token` or `start-after`, whichever is later.
    public var startAfter: String?

    public init(prefix: String = "", delimiter: String? = nil, maxKeys: Int = 1000, startAfter: String? = nil) {
        self.prefix = prefix
        self.delimiter = delimiter
        self.maxKeys = maxKeys
        self.startAfter = startAfter
    }
}

/// One page of ListObjectsV2.
public struct ListPage: Sendable, Equatable {
    public var objects: [ObjectInfo]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    /// The last key or common prefix of the page, where the next page starts after, when truncated.
    public var nextStartAfter: String?

    public init(objects: [ObjectInfo], commonPrefixes: [String], isTruncated: Bool, nextStartAfter: String?) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextStartAfter = nextStartAfter
    }
}

/// A part of a multipart upload as stored.
public struct PartInfo: Sendable, Equatable {
    public var partNumber: Int
    public var etag: String
    public var size: Int
    public var lastModified: Date

    public init(partNumber: Int, etag: String, size: Int, lastModified: Date) {
        self.partNumber = partNumber
        self.etag = etag
        self.size = size
        self.lastModified = lastModified
    }
}

/// A part named in CompleteMultipartUpload.
public struct CompletedPart: Sendable, Equatable {
    public var partNumber: Int
    public var etag: String

    public init(partNumber: Int, etag: String) {
        self.partNumber = partNumber
        self.etag = etag
    }
}
