import HTTPTypes
import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    func createMultipartUpload(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        try authorizer.authorize(call.identity, .putObject, resource: call.resource, publicRead: false)
        var options = try Self.putOptions(call.request)
        options.contentMD5 = nil
        let uploadID = try await route.store.createMultipartUpload(
            bucket: route.storeBucket,
            key: call.key,
            options: options
        )
        return .xml(S3XML.initiateMultipartUpload(bucket: route.name, key: call.key, uploadID: uploadID))
    }

    func uploadPart(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        try authorizer.authorize(call.identity, .putObject, resource: call.resource, publicRead: false)
        guard let uploadID = call.request.query["uploadId"] else {
            throw RefractError.invalidArgument("UploadPart needs an uploadId.")
        }
        guard let partText = call.request.query["partNumber"], let partNumber = Int(partText),
            (1...10_000).contains(partNumber)
        else {
            throw RefractError.invalidArgument("Part number must be an integer between 1 and 10000, inclusive.")
        }
        let contentMD5 = try Self.putOptions(call.request).contentMD5
        let payload = try verifiedPayload(call)
        let part = try await route.store.uploadPart(
            bucket: route.storeBucket,
            key: call.key,
            uploadID: uploadID,
            partNumber: partNumber,
            body: payload.body,
            contentLength: payload.contentLength,
            contentMD5: contentMD5
        )
        return Response(status: .ok, headers: Self.writeHeaders(etag: part.etag, payload: payload))
    }

    func completeMultipartUpload(_ call: ObjectCall, route: BucketRoute, uploadID: String) async throws -> Response {
        try authorizer.authorize(call.identity, .putObject, resource: call.resource, publicRead: false)
        let document = try await requestDocument(call)
        let parts = try document.children(named: "Part").map { part throws(RefractError) in
            guard let number = part.childText("PartNumber").flatMap({ Int($0) }), let etag = part.childText("ETag")
            else { throw RefractError.malformedXML() }
            return CompletedPart(partNumber: number, etag: etag)
        }
        guard !parts.isEmpty else {
            throw RefractError.malformedXML("You must specify at least one part.")
        }
        let info = try await route.store.completeMultipartUpload(
            bucket: route.storeBucket,
            key: call.key,
            uploadID: uploadID,
            parts: parts
        )
        try await recordWrite(
            route: route, key: call.key, etag: info.etag, size: info.size, metadata: info.userMetadata)
        let host = call.request.authority ?? configuration.server.host
        return .xml(
            S3XML.completeMultipartUpload(
                location: "http://\(host)/\(route.name)/\(S3URLEncoding.encode(call.key))",
                bucket: route.name,
                key: call.key,
                etag: info.etag
            )
        )
    }

    /// AbortMultipartUpload belongs to the uploader's work, so it needs `s3:PutObject` like the upload itself.
    func abortMultipartUpload(_ call: ObjectCall, route: BucketRoute, uploadID: String) async throws -> Response {
        try authorizer.authorize(call.identity, .putObject, resource: call.resource, publicRead: false)
        try await route.store.abortMultipartUpload(bucket: route.storeBucket, key: call.key, uploadID: uploadID)
        return Response(status: .noContent)
    }

    func listParts(_ call: ObjectCall, route: BucketRoute, uploadID: String) async throws -> Response {
        try authorizer.authorize(call.identity, .putObject, resource: call.resource, publicRead: false)
        let parts = try await route.store.listParts(bucket: route.storeBucket, key: call.key, uploadID: uploadID)
        return .xml(S3XML.listParts(bucket: route.name, key: call.key, uploadID: uploadID, parts: parts))
    }
}
