import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    /// The most bytes a DeleteObjects or CompleteMultipartUpload document may have.
    static let maxRequestDocumentBytes = 1 << 20

    /// ListObjectsV2 and ListObjects.
    func listObjects(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        try authorizer.authorize(call.identity, .listBucket, resource: route.name, publicRead: route.isPublic)
        let listing = try ObjectListing(call.request.query)
        let page = try await route.store.list(bucket: route.storeBucket, query: listing.query)
        return .xml(S3XML.listBucket(bucket: route.name, listing: listing, page: page, encodeKeys: listing.encodeKeys))
    }

    /// ListBuckets: every bucket, for a signed-in user.
    func listBuckets(_ call: ObjectCall) async throws -> Response {
        guard call.identity != nil else { throw RefractError.accessDenied() }
        return .xml(S3XML.listBuckets(try await buckets.bucketNames(), creationDate: startDate))
    }

    /// DeleteObjects: each key is checked and deleted on its own; failures are reported per key.
    func deleteObjects(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        let document = try await requestDocument(call)
        let objects = document.children(named: "Object")
        guard !objects.isEmpty, objects.count <= 1000 else { throw RefractError.malformedXML() }
        var deleted: [String] = []
        var failed: [(key: String, error: RefractError)] = []
        for object in objects {
            guard let key = object.childText("Key"), !key.isEmpty else { throw RefractError.malformedXML() }
            do {
                try authorizer.authorize(
                    call.identity,
                    .deleteObject,
                    resource: "\(route.name)/\(key)",
                    publicRead: false
                )
                try await route.store.delete(bucket: route.storeBucket, key: key)
                try await recordRemoval(route: route, key: key)
                deleted.append(key)
            } catch let error as RefractError {
                failed.append((key, error))
            }
        }
        let quiet = document.childText("Quiet") == "true"
        return .xml(S3XML.deleteResult(deleted: deleted, failed: failed, quiet: quiet))
    }

    /// The verified XML document in a request body, at most `maxRequestDocumentBytes` long.
    func requestDocument(_ call: ObjectCall) async throws -> XMLElement {
        let payload = try verifiedPayload(call)
        let buffer = try await payload.body.collect(
            upTo: Self.maxRequestDocumentBytes,
            tooLarge: .malformedXML("The XML document is larger than \(Self.maxRequestDocumentBytes) bytes.")
        )
        return try XMLElement.parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }
}
