import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import RefractCore

/// An S3-compatible service (AWS S3, MinIO, Ceph, Garage, SeaweedFS, moto) as an object store.
///
/// Requests are signed with SigV4 and sent over a pool of keep-alive connections. Bodies stream both ways: a GET's
/// body is the store's response body, read only as fast as the client takes it; a PUT's body is the client's, sent
/// on as it arrives. A store that cannot be reached answers `ServiceUnavailable` within the connect timeout, and
/// is tried again on the next request.
public struct S3Store: ObjectStore {
    public var kind: String { "s3" }
    public var location: String { settings.endpoint }
    /// The store's name in the configuration, for messages.
    public let name: String
    public let settings: S3StoreSettings
    let signer: SigV4Signer
    let client: HTTPClient
    let logger: Logger

    /// A store reaching the service `settings` describe; ``shutdown()`` closes its connections.
    public init(name: String, settings: S3StoreSettings, logger: Logger) {
        self.init(name: name, settings: settings, logger: logger, dnsOverride: [:])
    }

    /// `dnsOverride` maps host names to the addresses to connect to instead, so that virtual-hosted addressing can
    /// be used where bucket host names do not resolve.
    init(name: String, settings: S3StoreSettings, logger: Logger, dnsOverride: [String: String]) {
        self.name = name
        self.settings = settings
        self.logger = logger
        signer = SigV4Signer(credentials: settings.credentials, region: settings.region)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: TimeAmount(settings.connectTimeout),
                read: TimeAmount(settings.readTimeout)
            ),
            decompression: .disabled
        )
        configuration.httpVersion = .http1Only
        // A refused connection fails the requests waiting for it at once, rather than after their deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.dnsOverride = dnsOverride
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Any answer at all, even a refusal, shows the service is reachable.
    public func checkReady() async throws {
        let request = S3Request(method: .HEAD)
        do {
            let response = try await client.execute(
                request.prepared(for: settings, signer: signer), deadline: answerDeadline)
            try await Self.drain(response)
        } catch {
            throw S3ErrorTranslation.transportError(error, store: name)
        }
    }

    public func checkBucket(_ bucket: String) async throws {
        let response = try await send(S3Request(method: .HEAD, bucket: bucket), missing: .noSuchBucket())
        try await Self.drain(response)
    }

    public func head(bucket: String, key: String, conditions: ReadConditions) async throws -> ObjectInfo {
        let request = S3Request(method: .HEAD, bucket: bucket, key: key, headers: conditions.headers)
        let response: HTTPClientResponse
        do {
            response = try await send(request, missing: .noSuchKey())
        } catch let error as RefractError where error.hasSameCode(as: .noSuchKey()) {
            // A HEAD's 404 carries no document to tell a missing key from a missing bucket.
            try await checkBucket(bucket)
            throw error
        }
        try await Self.drain(response)
        return try objectInfo(key: key, headers: response.headers, size: nil)
    }

    public func get(
        bucket: String,
        key: String,
        range: ByteRange?,
        conditions: ReadConditions
    ) async throws -> ObjectRead {
        var request = S3Request(method: .GET, bucket: bucket, key: key, headers: conditions.headers)
        if let range { request.headers.append(("range", range.headerValue)) }
        let response = try await send(request, missing: .noSuchKey())
        guard response.status == .partialContent else {
            let info = try objectInfo(key: key, headers: response.headers, size: nil)
            return ObjectRead(info: info, range: nil, body: Self.objectBody(response))
        }
        guard let (bytes, size) = response.headers.first(name: "content-range").flatMap(Self.contentRange) else {
            throw RefractError.internalError("The object store \(name) sent a partial answer without its range.")
        }
        let info = try objectInfo(key: key, headers: response.headers, size: size)
        return ObjectRead(info: info, range: bytes, body: Self.objectBody(response))
    }

    public func put(bucket: String, key: String, body: ObjectBody, options: PutOptions) async throws -> ObjectInfo {
        guard let length = options.contentLength else { throw RefractError.missingContentLength() }
        let contentType = Self.contentType(of: key, options: options)
        var headers = [("content-type", contentType)] + Self.metadataHeaders(options.userMetadata)
        if let md5 = options.contentMD5 { headers.append(("content-md5", Data(md5).base64EncodedString())) }
        let response = try await send(
            S3Request(
                method: .PUT,
                bucket: bucket,
                key: key,
                headers: headers,
                payloadHash: .unsigned,
                body: Self.uploadBody(body, length: length, expectedMD5: options.contentMD5)
            ),
            missing: .noSuchBucket(),
            deadline: .distantFuture
        )
        try await Self.drain(response)
        return ObjectInfo(
            key: key,
            size: length,
            etag: try entityTag(response.headers),
            lastModified: Date(),
            contentType: contentType,
            userMetadata: options.userMetadata
        )
    }

    public func delete(bucket: String, key: String) async throws {
        let response = try await send(S3Request(method: .DELETE, bucket: bucket, key: key), missing: .noSuchBucket())
        try await Self.drain(response)
    }
}

extension S3Store {
    /// When an answer (its status and headers) must have arrived: a connect and a read timeout from now.
    var answerDeadline: NIODeadline {
        .now() + TimeAmount(settings.connectTimeout) + TimeAmount(settings.readTimeout)
    }

    /// Sends `request`; an answer that is not a success is thrown as the error S3 gives for it.
    ///
    /// - Parameters:
    ///   - missing: What a 404 without an error document means for this request.
    ///   - deadline: When the answer must have arrived; a request with a body waits for as long as it uploads.
    func send(
        _ request: S3Request,
        missing: RefractError,
        deadline: NIODeadline? = nil
    ) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                request.prepared(for: settings, signer: signer), deadline: deadline ?? answerDeadline)
        } catch {
            throw S3ErrorTranslation.transportError(error, store: name)
        }
        guard (200..<300).contains(response.status.code) else {
            throw await S3ErrorTranslation.responseError(response, missing: missing, store: name)
        }
        return response
    }

    /// Reads a small answer's document, `MalformedXML` for the store when it is not one.
    func document(_ response: HTTPClientResponse) async throws -> XMLElement {
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: Self.maxDocumentBytes)
        } catch {
            throw S3ErrorTranslation.transportError(error, store: name)
        }
        do {
            return try XMLElement.parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
        } catch {
            throw RefractError.internalError("The object store \(name) sent a document that is not XML.")
        }
    }

    /// Listings of 1,000 keys of up to 1 KiB each fit.
    static let maxDocumentBytes = 16 * 1024 * 1024

    /// The bytes of a GET, in buffers as large as the filesystem store's.
    static func objectBody(_ response: HTTPClientResponse) -> ObjectBody {
        ObjectBody(CoalescedBody(base: response.body, minimumBytes: 256 * 1024))
    }

    /// Reads the rest of an answer whose body is not wanted, so its connection can be used again.
    static func drain(_ response: HTTPClientResponse) async throws {
        for try await _ in response.body {}
    }

    /// The client's payload as the store receives it: of known length, its last bytes held back until the whole
    /// payload has passed its checks, `expectedMD5` among them.
    static func uploadBody(_ body: ObjectBody, length: Int, expectedMD5: [UInt8]?) -> HTTPClientRequest.Body {
        .stream(HeldBackBody(base: body, expectedMD5: expectedMD5), length: .known(Int64(length)))
    }

    /// `x-amz-meta-*` headers for user metadata.
    static func metadataHeaders(_ metadata: [String: String]) -> [(name: String, value: String)] {
        metadata.sorted { $0.key < $1.key }.map { ("x-amz-meta-\($0.key)", $0.value) }
    }

    /// What the headers of a HEAD or GET say of the object; `size` overrides `Content-Length` for a partial answer.
    func objectInfo(key: String, headers: HTTPHeaders, size: Int?) throws -> ObjectInfo {
        var metadata: [String: String] = [:]
        for header in headers where header.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(header.name.lowercased().dropFirst("x-amz-meta-".count))] = header.value
        }
        guard let size = size ?? headers.first(name: "content-length").flatMap({ Int($0) }) else {
            throw RefractError.internalError("The object store \(name) did not say how large \(key) is.")
        }
        return ObjectInfo(
            key: key,
            size: size,
            etag: try entityTag(headers),
            lastModified: headers.first(name: "last-modified").flatMap(HTTPDate.parse) ?? Date(),
            contentType: headers.first(name: "content-type") ?? "binary/octet-stream",
            userMetadata: metadata
        )
    }

    func entityTag(_ headers: HTTPHeaders) throws -> String {
        guard let etag = headers.first(name: "etag") else {
            throw RefractError.internalError("The object store \(name) sent no ETag.")
        }
        return Self.quoted(etag)
    }

    /// An entity tag with its quotes, as the `ETag` header and ``ObjectInfo`` carry it; some stores drop them.
    static func quoted(_ etag: String) -> String {
        etag.hasPrefix("\"") ? etag : "\"\(etag)\""
    }

    /// The type an object is stored with: the writer's, else the one its name's extension implies, as the
    /// filesystem store does.
    static func contentType(of key: String, options: PutOptions) -> String {
        options.contentType ?? MediaType.forFileName(String(key.split(separator: "/").last ?? ""))
    }

    /// `bytes 0-99/1234` as the range and the object's size.
    static func contentRange(_ value: String) -> (ClosedRange<Int>, Int)? {
        guard value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst("bytes ".count).split(separator: "/")
        guard parts.count == 2, let size = Int(parts[1]) else { return nil }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first <= last else {
            return nil
        }
        return (first...last, size)
    }
}
