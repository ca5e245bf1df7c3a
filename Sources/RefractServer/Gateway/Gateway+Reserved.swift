import HTTPTypes
import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    /// The gateway's own endpoints under `/_refract/`, a name no S3 bucket can have.
    func respondReserved(
        to request: GatewayRequest,
        body: RequestBody,
        endpoint: String,
        exchange: Exchange
    ) async throws -> Response {
        if endpoint == "events/s3" {
            guard request.method == .post else { throw RefractError.methodNotAllowed() }
            return try await receiveEvents(request, body: body, exchange: exchange)
        }
        guard request.method == .get || request.method == .head else { throw RefractError.methodNotAllowed() }
        if endpoint.hasPrefix(Self.functionInputsPrefix) {
            exchange.operation = "FunctionInput"
            return try await functionInput(token: String(endpoint.dropFirst(Self.functionInputsPrefix.count)))
        }
        switch endpoint {
        case "health":
            exchange.operation = "Health"
            return .text("ok\n")
        case "ready":
            exchange.operation = "Ready"
            for (name, store) in buckets.stores.sorted(by: { $0.key < $1.key }) {
                do {
                    try await store.checkReady()
                } catch let error as RefractError {
                    throw RefractError.serviceUnavailable("Store \(name) is not ready: \(error.message)")
                }
            }
            return .text("ready\n")
        case "jobs":
            return try await listJobs(request, exchange: exchange)
        case "metrics":
            exchange.operation = "Metrics"
            return .text(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        default:
            throw RefractError.noSuchKey("There is no gateway endpoint /_refract/\(endpoint).")
        }
    }

    private static let functionInputsPrefix = "inputs/"
}

extension Response {
    /// A 200 answer carrying text.
    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
