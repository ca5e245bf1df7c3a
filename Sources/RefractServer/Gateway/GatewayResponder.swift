import HTTPTypes
import Hummingbird
import Logging
import RefractCore

/// Answers every request: gives it an id, hands it to the gateway, renders failures as S3 XML errors,
/// and logs and counts it once its body has been sent.
struct GatewayResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let gateway: Gateway

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = gateway.requestIDs.make()
        let started = ContinuousClock.now
        var logger = context.logger
        logger[metadataKey: "hb.request.id"] = nil
        logger[metadataKey: "request_id"] = .string(requestID)
        let exchange = Exchange(requestID: requestID, logger: logger)
        let accessLogger = logger
        var response: Response
        do {
            response = try await gateway.respond(to: request, exchange: exchange)
        } catch {
            response = errorResponse(error, request: request, exchange: exchange)
        }
        response.headers[.xAmzRequestID] = requestID
        let status = response.status.code
        let method = request.method.rawValue
        let path = request.head.path ?? "/"
        let gateway = gateway
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            let bytesOut = ByteCounter()
            var failure: (any Error)?
            do {
                try await body.write(
                    writer.map { buffer in
                        bytesOut.add(buffer.readableBytes)
                        return buffer
                    })
            } catch {
                failure = error
            }
            let duration = ContinuousClock.now - started
            gateway.metrics.record(
                operation: exchange.operation,
                status: status,
                transform: exchange.transform,
                duration: duration,
                bytesIn: exchange.bytesIn.total,
                bytesOut: bytesOut.total
            )
            var metadata: Logger.Metadata = [
                "method": .string(method),
                "path": .string(path),
                "status": .stringConvertible(status),
                "operation": .string(exchange.operation),
                "bytes_in": .stringConvertible(exchange.bytesIn.total),
                "bytes_out": .stringConvertible(bytesOut.total),
                "duration_ms": .stringConvertible(
                    Double(duration.components.attoseconds / 1_000_000_000_000) / 1000
                        + Double(duration.components.seconds) * 1000),
            ]
            if let transform = exchange.transform { metadata["transform"] = .string(transform) }
            if let failure {
                // The status line is already sent: the client sees the connection drop, never a truncated success.
                metadata["error"] = .string("\(failure)")
                accessLogger.warning("access", metadata: metadata)
                throw failure
            }
            accessLogger.info("access", metadata: metadata)
        }
        return response
    }

    private func errorResponse(_ error: any Error, request: Request, exchange: Exchange) -> Response {
        let refractError: RefractError
        if let error = error as? RefractError {
            refractError = error
        } else {
            exchange.logger.error("request failed", metadata: ["error": .string("\(error)")])
            refractError = .internalError()
        }
        var headers = HTTPFields()
        if let retryAfter = refractError.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        let status = HTTPResponse.Status(code: refractError.httpStatus)
        // Only a 304 or 412 speaks about the representation; a failed transform has none to name.
        if refractError.hasSameCode(as: .notModified) || refractError.hasSameCode(as: .preconditionFailed()),
            let etag = refractError.entityTag ?? exchange.etag
        {
            headers[.eTag] = etag
        }
        if refractError.hasSameCode(as: .notModified) || request.method == .head {
            return Response(status: status, headers: headers)
        }
        headers[.contentType] = "application/xml"
        let xml = S3XML.error(refractError, resource: request.uri.path, requestID: exchange.requestID)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
    }
}

extension HTTPField.Name {
    static let xAmzRequestID = Self("x-amz-request-id")!
    static let xAmzContentSHA256 = Self("x-amz-content-sha256")!
    static let xAmzCopySource = Self("x-amz-copy-source")!
    static let contentMD5 = Self("Content-MD5")!
}
