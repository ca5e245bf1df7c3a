import HTTPTypes
import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    /// Sub-resources of S3's API that the gateway does not implement: answered `NotImplemented`, never mistaken
    /// for a plain object or bucket request.
    private static let unsupportedSubresources: Set<String> = [
        "acl", "analytics", "attributes", "cors", "encryption", "inventory", "legal-hold", "lifecycle", "logging",
        "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus", "publicAccessBlock",
        "replication", "requestPayment", "restore", "retention", "select", "tagging", "torrent", "versioning",
        "versions", "website",
    ]

    /// Routes a request to its operation.
    func respond(to request: Request, exchange: Exchange) async throws -> Response {
        let gatewayRequest = try GatewayRequest(request)
        let path = gatewayRequest.path
        if path.bucket == "_refract" {
            return try await respondReserved(
                to: gatewayRequest, body: request.body, endpoint: path.key, exchange: exchange)
        }
        if let subresource = gatewayRequest.query.keys.first(where: Self.unsupportedSubresources.contains) {
            throw RefractError.notImplemented("The ?\(subresource) sub-resource is not implemented by Refract.")
        }
        try Self.refuseDotSegments(in: path.key)
        let identity = try authorizer.authenticate(gatewayRequest)
        let call = ObjectCall(request: gatewayRequest, body: request.body, identity: identity, exchange: exchange)
        if path.bucket == "WriteGetObjectResponse", path.key.isEmpty, gatewayRequest.method == .post {
            return try await writeGetObjectResponse(call)
        }
        if path.bucket.isEmpty {
            guard gatewayRequest.method == .get else { throw RefractError.methodNotAllowed() }
            exchange.operation = "ListBuckets"
            return try await listBuckets(call)
        }
        if let accessPoint = accessPoints[path.bucket] {
            return try await respondThroughAccessPoint(call, accessPoint: accessPoint)
        }
        let route = try await buckets.route(path.bucket)
        if path.key.isEmpty {
            return try await respondToBucket(call, route: route)
        }
        if let suffix = path.suffix {
            guard gatewayRequest.method == .get || gatewayRequest.method == .head else {
                throw RefractError.methodNotAllowed("Transformed objects are read-only.")
            }
            exchange.operation = gatewayRequest.method == .get ? "GetTransformed" : "HeadTransformed"
            return try await transformObject(call, route: route, suffix: suffix)
        }
        return try await respondToObject(call, route: route)
    }

    /// Keys with a "." or ".." segment are refused whatever the store: a client that downloads them into folders
    /// (`aws s3 cp --recursive`, `sync`) would write outside its target, and the filesystem store cannot hold them.
    private static func refuseDotSegments(in key: String) throws(RefractError) {
        let segments = key.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if segments.contains(where: { $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) {
            throw RefractError.invalidArgument(
                "The object key \(key.quotedForMessage()) has a \".\" or \"..\" segment, which Refract refuses.")
        }
    }

    func respondToBucket(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        let query = call.request.query
        switch call.request.method {
        case .get where query["location"] != nil:
            call.exchange.operation = "GetBucketLocation"
            try authorizer.authorize(call.identity, .listBucket, resource: route.name, publicRead: route.isPublic)
            return .xml(S3XML.location())
        case .get where query["uploads"] != nil:
            throw RefractError.notImplemented("ListMultipartUploads is not implemented by Refract.")
        case .get:
            call.exchange.operation = query["list-type"] == nil ? "ListObjects" : "ListObjectsV2"
            return try await listObjects(call, route: route)
        case .head:
            call.exchange.operation = "HeadBucket"
            try authorizer.authorize(call.identity, .listBucket, resource: route.name, publicRead: route.isPublic)
            try await route.store.checkBucket(route.storeBucket)
            return Response(status: .ok)
        case .post where query["delete"] != nil:
            call.exchange.operation = "DeleteObjects"
            return try await deleteObjects(call, route: route)
        case .put, .delete:
            throw RefractError.notImplemented(
                "Buckets are configured in refract.yml; they cannot be created or removed.")
        default:
            throw RefractError.methodNotAllowed()
        }
    }

    private func respondToObject(_ call: ObjectCall, route: BucketRoute) async throws -> Response {
        let query = call.request.query
        let uploadID = query["uploadId"]
        switch call.request.method {
        case .get where uploadID != nil:
            call.exchange.operation = "ListParts"
            return try await listParts(call, route: route, uploadID: uploadID!)
        case .get, .head:
            call.exchange.operation = call.request.method == .get ? "GetObject" : "HeadObject"
            return try await getObject(call, route: route)
        case .put where call.request.header(.xAmzCopySource) != nil:
            throw RefractError.notImplemented("CopyObject is not implemented by Refract.")
        case .put where uploadID != nil || query["partNumber"] != nil:
            call.exchange.operation = "UploadPart"
            return try await uploadPart(call, route: route)
        case .put:
            call.exchange.operation = "PutObject"
            return try await putObject(call, route: route)
        case .post where query["uploads"] != nil:
            call.exchange.operation = "CreateMultipartUpload"
            return try await createMultipartUpload(call, route: route)
        case .post where uploadID != nil:
            call.exchange.operation = "CompleteMultipartUpload"
            return try await completeMultipartUpload(call, route: route, uploadID: uploadID!)
        case .delete where uploadID != nil:
            call.exchange.operation = "AbortMultipartUpload"
            return try await abortMultipartUpload(call, route: route, uploadID: uploadID!)
        case .delete:
            call.exchange.operation = "DeleteObject"
            return try await deleteObject(call, route: route)
        default:
            throw RefractError.methodNotAllowed()
        }
    }
}

/// One S3 call: the parsed request, its body, who sent it.
struct ObjectCall: Sendable {
    let request: GatewayRequest
    let body: RequestBody
    let identity: SigV4Identity?
    let exchange: Exchange

    var bucket: String { request.path.bucket }
    var key: String { request.path.key }
    /// The policy resource of the object: `bucket/key`.
    var resource: String { "\(bucket)/\(key)" }
}

extension Response {
    /// A 200 answer carrying an XML document.
    static func xml(_ document: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: document))
        )
    }
}
