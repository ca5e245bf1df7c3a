import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RefractCore

extension S3Store {
    public func createMultipartUpload(bucket: String, key: String, options: PutOptions) async throws -> String {
        let contentType = Self.contentType(of: key, options: options)
        let response = try await send(
            S3Request(
                method: .POST,
                bucket: bucket,
                key: key,
                query: [("uploads", "")],
                headers: [("content-type", contentType)] + Self.metadataHeaders(options.userMetadata)
            ),
            missing: .noSuchBucket()
        )
        guard let uploadID = try await document(response).childText("UploadId") else {
            throw RefractError.internalError("The object store \(name) started an upload without an UploadId.")
        }
        return uploadID
    }

    public func uploadPart(
        bucket: String,
        key: String,
        uploadID: String,
        partNumber: Int,
        body: ObjectBody,
        contentLength: Int?,
        contentMD5: [UInt8]?
    ) async throws -> PartInfo {
        guard let contentLength else { throw RefractError.missingContentLength() }
        var headers: [(name: String, value: String)] = []
        if let contentMD5 { headers.append(("content-md5", Data(contentMD5).base64EncodedString())) }
        let response = try await send(
            S3Request(
                method: .PUT,
                bucket: bucket,
                key: key,
                query: [("partNumber", String(partNumber)), ("uploadId", uploadID)],
                headers: headers,
                payloadHash: .unsigned,
                body: Self.uploadBody(body, length: contentLength, expectedMD5: contentMD5)
            ),
            missing: .noSuchUpload(),
            deadline: .distantFuture
        )
        try await Self.drain(response)
        return PartInfo(
            partNumber: partNumber, etag: try entityTag(response.headers), size: contentLength, lastModified: Date())
    }

    public func listParts(bucket: String, key: String, uploadID: String) async throws -> [PartInfo] {
        var parts: [PartInfo] = []
        var marker: String?
        repeat {
            var query = [("uploadId", uploadID)]
            if let marker { query.append(("part-number-marker", marker)) }
            let response = try await send(
                S3Request(method: .GET, bucket: bucket, key: key, query: query), missing: .noSuchUpload())
            let result = try await document(response)
            for part in result.children(named: "Part") {
                guard let number = part.childText("PartNumber").flatMap({ Int($0) }),
                    let size = part.childText("Size").flatMap({ Int($0) }), let etag = part.childText("ETag")
                else {
                    throw RefractError.internalError("The object store \(name) listed a part it did not describe.")
                }
                parts.append(
                    PartInfo(
                        partNumber: number,
                        etag: Self.quoted(etag),
                        size: size,
                        lastModified: part.childText("LastModified").flatMap(HTTPDate.parseISO8601) ?? Date()
                    ))
            }
            marker = result.childText("IsTruncated") == "true" ? result.childText("NextPartNumberMarker") : nil
        } while marker != nil
        return parts
    }

    /// Completes the upload at the store; S3 may report a failure in the body of a `200`, which is thrown here.
    public func completeMultipartUpload(
        bucket: String,
        key: String,
        uploadID: String,
        parts: [CompletedPart]
    ) async throws -> ObjectInfo {
        // S3 refuses a list out of order; not every compatible store does.
        guard zip(parts, parts.dropFirst()).allSatisfy({ $0.partNumber < $1.partNumber }) else {
            throw RefractError.invalidPartOrder()
        }
        var writer = XMLWriter()
        writer.element("CompleteMultipartUpload", namespace: true) { xml in
            for part in parts {
                xml.element("Part") { entry in
                    entry.element("PartNumber", part.partNumber)
                    entry.element("ETag", part.etag)
                }
            }
        }
        let response = try await send(
            S3Request(
                method: .POST,
                bucket: bucket,
                key: key,
                query: [("uploadId", uploadID)],
                headers: [("content-type", "application/xml")],
                payloadHash: .sha256(SigV4Hashing.sha256Hex(writer.text)),
                body: .bytes(ByteBuffer(string: writer.text))
            ),
            missing: .noSuchUpload(),
            deadline: .distantFuture
        )
        let result = try await document(response)
        if result.name == "Error" {
            throw S3ErrorTranslation.error(
                status: .internalServerError, document: result, missing: .noSuchUpload(), store: name)
        }
        return try await head(bucket: bucket, key: key)
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        let response = try await send(
            S3Request(method: .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)]),
            missing: .noSuchUpload())
        try await Self.drain(response)
    }
}
