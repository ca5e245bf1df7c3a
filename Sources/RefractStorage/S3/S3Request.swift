import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RefractCore

/// One request to the store, before it is addressed and signed.
struct S3Request: Sendable {
    var method: HTTPMethod
    /// The store's bucket, or nil for a request to the service itself.
    var bucket: String?
    /// The object's key, or nil for a request to the bucket.
    var key: String?
    /// Query parameters, not yet encoded.
    var query: [(name: String, value: String)] = []
    /// Headers besides `host` and the signature's, by their lower-cased names.
    var headers: [(name: String, value: String)] = []
    /// What `x-amz-content-sha256` declares: a hash of the body, or `UNSIGNED-PAYLOAD` for a streamed one.
    var payloadHash: SigV4PayloadHash = .sha256(SigV4Hashing.emptySHA256)
    var body: HTTPClientRequest.Body?

    /// The request addressed as `settings` say (path style or virtual-hosted) and signed with their credentials.
    func prepared(for settings: S3StoreSettings, signer: SigV4Signer) -> HTTPClientRequest {
        var host = settings.host
        var path = ""
        if let bucket {
            if settings.pathStyle {
                path = "/" + SigV4Canonical.encode(bucket.utf8, keepingSlash: false)
            } else {
                host = "\(bucket).\(settings.host)"
            }
        }
        if let key { path += "/" + SigV4Canonical.encode(key.utf8, keepingSlash: true) }
        if path.isEmpty { path = "/" }
        let queryText = query.map {
            SigV4Canonical.encode($0.name.utf8, keepingSlash: false) + "="
                + SigV4Canonical.encode($0.value.utf8, keepingSlash: false)
        }.joined(separator: "&")
        let authority = settings.authority(host: host)
        let signed = [("host", authority)] + headers
        let signature = signer.sign(
            method: method.rawValue,
            path: path,
            query: queryText,
            headers: signed,
            payloadHash: payloadHash
        )
        var request = HTTPClientRequest(
            url: "\(settings.scheme)://\(authority)\(path)\(queryText.isEmpty ? "" : "?" + queryText)")
        request.method = method
        for (name, value) in signed + signature.headers {
            request.headers.add(name: name, value: value)
        }
        if let body { request.body = body }
        return request
    }
}
