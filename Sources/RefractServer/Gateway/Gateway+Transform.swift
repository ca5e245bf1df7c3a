import HTTPTypes
import Hummingbird
import NIOCore
import RefractCore
import RefractStorage

extension Gateway {
    /// A GET or HEAD with a transform suffix: the source streamed through the pipeline.
    ///
    /// The ETag is derived from the source's, so a conditional request is answered from a HEAD of the source,
    /// without reading its body. `Range` is ignored: the answer is always the whole transformed object.
    func transformObject(_ call: ObjectCall, route: BucketRoute, suffix: String) async throws -> Response {
        let pipeline = try registry.pipeline(for: suffix)
        call.exchange.transform = pipeline.canonical
        try authorizer.authorize(call.identity, .getObject, resource: call.resource, publicRead: route.isPublic)
        for step in try SuffixParser.parse(suffix) {
            try authorizer.authorize(call.identity, .transform, resource: step.name, publicRead: route.isPublic)
        }
        let source = try await route.store.head(bucket: route.storeBucket, key: call.key)
        let etag = pipeline.etag(sourceETag: source.etag, payload: nil)
        call.exchange.etag = etag
        try ConditionalRequest(call.request).evaluate(etag: etag, lastModified: source.lastModified)

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
            requestHeaders: Dictionary(
                call.request.headerPairs.map { ($0.name, $0.value) },
                uniquingKeysWith: { first, second in "\(first),\(second)" }
            )
        )
        let output = try await pipeline.run(
            TransformInput(body: read.body, contentType: read.info.contentType, contentLength: read.info.size),
            context: context
        )
        var headers: HTTPFields = [
            .contentType: output.contentType,
            .eTag: pipeline.etag(sourceETag: read.info.etag, payload: nil),
            .lastModified: HTTPDate.rfc1123(read.info.lastModified),
            .cacheControl: configuration.server.cacheControl,
        ]
        for (name, value) in output.headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }

        if call.request.method == .head {
            var length = 0
            for try await buffer in output.body { length += buffer.readableBytes }
            headers[.contentLength] = String(length)
            return Response(status: .ok, headers: headers)
        }
        // Pull the first buffer before answering, so that a transform failing on its first bytes still gets
        // a proper error status instead of a dropped connection.
        let body = try await output.body.startingFirstBuffer()
        if let length = output.contentLength { headers[.contentLength] = String(length) }
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody(contentLength: output.contentLength) { writer in
                try await writer.write(body)
                try await writer.finish(nil)
            }
        )
    }
}
