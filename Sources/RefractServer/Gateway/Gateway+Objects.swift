import Foundation
import HTTPTypes
import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    /// GetObject and HeadObject: the object, or a range of it, streamed from the store.
    func getObject(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        try authorizer.authorize(call.identity, .getObject, resource: call.resource, publicRead: route.isPublic)
        let conditions = ReadConditions(call.request)
        if call.request.method == .head {
            let info = try await route.store.head(bucket: route.storeBucket, key: call.key, conditions: conditions)
            var headers = Self.objectHeaders(info)
            headers[.contentLength] = String(info.size)
            return Response(status: .ok, headers: headers)
        }
        let range = call.request.header(.range).flatMap(ByteRange.init(header:))
        let read = try await route.store.get(
            bucket: route.storeBucket, key: call.key, range: range, conditions: conditions)
        var headers = Self.objectHeaders(read.info)
        var status = HTTPResponse.Status.ok
        var length = read.info.size
        if let bytes = read.range {
            status = .partialContent
            length = bytes.count
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(read.info.size)"
        }
        headers[.contentLength] = String(length)
        return Response(
            status: status,
            headers: headers,
            body: ResponseBody(contentLength: length) { writer in
                try await writer.write(read.body)
                try await writer.finish(nil)
            }
        )
    }

    /// PutObject: the body streams, verified, into the store, which makes it visible only once complete.
    func putObject(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        try authorizer.authorize(call.identity, .putObject, resource: call.resource, publicRead: false)
        var options = try Self.putOptions(call.request)
        let payload = try verifiedPayload(call)
        options.contentLength = payload.contentLength
        let info = try await route.store.put(
            bucket: route.storeBucket,
            key: call.key,
            body: payload.body,
            options: options
        )
        try await recordWrite(
            route: route, key: call.key, etag: info.etag, size: info.size, metadata: options.userMetadata)
        return Response(status: .ok, headers: Self.writeHeaders(etag: info.etag, payload: payload))
    }

    /// DeleteObject: succeeds for a missing key too, as in S3.
    func deleteObject(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        try authorizer.authorize(call.identity, .deleteObject, resource: call.resource, publicRead: false)
        try await route.store.delete(bucket: route.storeBucket, key: call.key)
        try await recordRemoval(route: route, key: call.key)
        return Response(status: .noContent)
    }

    /// The request body as the client signed and checksummed it, counted for the access log.
    func verifiedPayload(_ call: ObjectCall) throws -> VerifiedPayload {
        try PayloadVerifier(headers: call.request.headerPairs, identity: call.identity)
            .verify(ObjectBody(call.body).counted(by: call.exchange.bytesIn))
    }

    /// The answer to a write: the new ETag and the checksums of what was received.
    static func writeHeaders(etag: String, payload: VerifiedPayload) -> HTTPFields {
        var headers: HTTPFields = [.eTag: etag]
        for (name, value) in payload.checksums.responseHeaders {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return headers
    }

    /// The response headers that describe a stored object.
    static func objectHeaders(_ info: ObjectInfo) -> HTTPFields {
        var headers: HTTPFields = [
            .contentType: info.contentType,
            .eTag: info.etag,
            .lastModified: HTTPDate.rfc1123(info.lastModified),
            .acceptRanges: "bytes",
        ]
        for (name, value) in info.userMetadata.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name("x-amz-meta-\(name)") {
                headers.append(HTTPField(name: field, value: value))
            }
        }
        return headers
    }

    /// Content-Type, `x-amz-meta-*` and Content-MD5 of a write.
    static func putOptions(_ request: GatewayRequest) throws(RefractError) -> PutOptions {
        var metadata: [String: String] = [:]
        for field in request.headers where field.name.canonicalName.hasPrefix("x-amz-meta-") {
            metadata[String(field.name.canonicalName.dropFirst("x-amz-meta-".count))] = field.value
        }
        var contentMD5: [UInt8]?
        if let encoded = request.header(.contentMD5) {
            guard let digest = Data(base64Encoded: encoded), digest.count == 16 else {
                throw RefractError.invalidDigest()
            }
            contentMD5 = Array(digest)
        }
        return PutOptions(contentType: request.header(.contentType), userMetadata: metadata, contentMD5: contentMD5)
    }
}
