import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RefractCore
import RefractPlugins
import RefractStorage

extension Gateway {
    /// A GET or HEAD with a transform suffix: the source streamed through the pipeline.
    ///
    /// The ETag is derived from the source's, so a conditional request is answered from a HEAD of the source,
    /// without reading its body. `Range` is ignored: the answer is always the whole transformed object.
    func transformObject(_ call: ObjectCall, route: BucketRoute, suffix: String) async throws -> Response {
        let pipeline = try registry.pipeline(for: suffix)
        call.exchange.transform = pipeline.canonical
        try authorizeTransform(
            call, stepNames: try SuffixParser.parse(suffix).map(\.name), publicBucket: route.isPublic)
        return try await respondTransformed(call, route: route, pipeline: pipeline, payload: nil)
    }

    /// The object `call` names in `route`'s bucket, run through `pipeline`; `payload` is an access point's.
    func respondTransformed(
        _ call: ObjectCall,
        route: BucketRoute,
        pipeline: Pipeline,
        payload: String?
    ) async throws -> Response {
        let source = try await route.store.head(bucket: route.storeBucket, key: call.key)
        let requestHeaders = Dictionary(
            call.request.headerPairs.map { ($0.name, $0.value) },
            uniquingKeysWith: { first, second in "\(first),\(second)" }
        )
        let variants = pipeline.outputVariants(requestHeaders: requestHeaders)
        let etag = pipeline.etag(sourceETag: source.etag, payload: payload, variants: variants)
        call.exchange.etag = etag
        var headers: HTTPFields = [.eTag: etag, .cacheControl: configuration.server.cacheControl]
        let vary = Set(variants.map(\.requestHeader)).sorted().map(Self.headerDisplayName).joined(separator: ", ")
        if !vary.isEmpty { headers[.vary] = vary }
        if try ReadConditions(call.request).isNotModified(etag: etag, lastModified: source.lastModified) {
            return Response(status: .notModified, headers: headers)
        }

        let read = try await route.store.get(bucket: route.storeBucket, key: call.key, range: nil)
        let context = TransformContext(
            requestID: call.exchange.requestID,
            deadline: .now + Self.transformTimeout,
            logger: call.exchange.logger,
            source: SourceMetadata(
                bucket: route.name,
                key: call.key,
                contentType: read.info.contentType,
                contentLength: read.info.size,
                etag: read.info.etag,
                lastModified: read.info.lastModified,
                userMetadata: read.info.userMetadata
            ),
            requestHeaders: requestHeaders,
            payload: payload,
            requestURL: call.request.rawQuery.isEmpty
                ? call.request.rawPath : "\(call.request.rawPath)?\(call.request.rawQuery)"
        )
        let store = route.store
        let (storeBucket, key, sourceETag) = (route.storeBucket, call.key, read.info.etag)
        let sourceRanges = SourceRanges(objectLength: read.info.size) { range in
            // A source replaced between two reads would mix two objects' bytes: If-Match refuses that.
            let part = try await store.get(
                bucket: storeBucket, key: key, range: .closed(range.lowerBound, range.upperBound - 1),
                conditions: ReadConditions(ifMatch: sourceETag))
            return try await part.body.collect(
                upTo: range.count, tooLarge: .internalError("The store sent more than the range."))
        }
        let output = try await pipeline.run(
            TransformInput(
                body: read.body,
                contentType: read.info.contentType,
                contentLength: read.info.size,
                sourceRanges: sourceRanges
            ),
            context: context
        )
        // The source may have changed between the HEAD and the GET: the ETag describes what is actually sent.
        headers[.eTag] = pipeline.etag(sourceETag: read.info.etag, payload: payload, variants: variants)
        headers[.contentType] = output.contentType
        headers[.lastModified] = HTTPDate.rfc1123(read.info.lastModified)
        for (name, value) in output.headers.sorted(by: { $0.key < $1.key }) where name != "vary" {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPResponse.Status(code: output.status)
        if status.kind != .successful {
            // A function's own error answer describes no version of the object: nothing to cache or match.
            headers[.eTag] = nil
            headers[.cacheControl] = "no-store"
            headers[.lastModified] = nil
        }

        if call.request.method == .head {
            var length = 0
            for try await buffer in output.body { length += buffer.readableBytes }
            headers[.contentLength] = String(length)
            return Response(status: status, headers: headers)
        }
        // Pull the first buffer before answering, so that a transform failing on its first bytes still gets
        // a proper error status instead of a dropped connection.
        let body = try await output.body.startingFirstBuffer()
        if let length = output.contentLength { headers[.contentLength] = String(length) }
        guard Self.runsPlugins(pipeline) else {
            return Response(
                status: status,
                headers: headers,
                body: ResponseBody(contentLength: output.contentLength) { writer in
                    try await writer.write(body)
                    try await writer.finish(nil)
                }
            )
        }
        // A plugin can stall without writing, and a stalled write never learns that the client left: watch the
        // connection instead, so that a client that goes away stops the plugin. Hummingbird closes such a
        // connection after the response; saying so lets clients open a new one instead of failing on a closed one.
        headers[.connection] = "close"
        let requestBody = call.body
        return Response(
            status: status,
            headers: headers,
            body: ResponseBody(contentLength: output.contentLength) { writer in
                try await requestBody.consumeWithCancellationOnInboundClose { _ in
                    try await writer.write(body)
                }
                try await writer.finish(nil)
            }
        )
    }

    /// Reads of a transformed object need the source bucket's read rights and `refract:Transform` on every step,
    /// unless the URL carries a valid signature: like an S3 presigned URL, the operator's key is the grant.
    /// `signing.required` takes the public bucket's anonymous right away; a SigV4 user with the rights needs no
    /// signature.
    func authorizeTransform(_ call: ObjectCall, stepNames: [String], publicBucket: Bool) throws {
        let signed = try signer.verify(rawPath: call.request.rawPath, query: call.request.query, now: Date())
        if signed == true, call.identity == nil { return }
        let publicRead = publicBucket && !configuration.security.signing.required
        try authorizer.authorize(call.identity, .getObject, resource: call.resource, publicRead: publicRead)
        for name in stepNames {
            try authorizer.authorize(call.identity, .transform, resource: name, publicRead: publicRead)
        }
    }

    /// Whether a step of `pipeline` runs outside the gateway's process (an exec plugin or an http function).
    private static func runsPlugins(_ pipeline: Pipeline) -> Bool {
        pipeline.steps.contains { $0.transform is ExecTransform || $0.transform is HTTPFunctionTransform }
    }

    /// `accept` as `Accept`: the names the pipeline reports are lower-cased.
    private static func headerDisplayName(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }
}
