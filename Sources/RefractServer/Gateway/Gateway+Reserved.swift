import HTTPTypes
import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    /// The gateway's own endpoints under `/_refract/`, a name no S3 bucket can have.
    func respondReserved(to request: GatewayRequest, endpoint: String, exchange: Exchange) async throws -> Response {
        guard request.method == .get || request.method == .head else { throw RefractError.methodNotAllowed() }
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
        case "metrics":
            exchange.operation = "Metrics"
            return .text(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        default:
            throw RefractError.noSuchKey("There is no gateway endpoint /_refract/\(endpoint).")
        }
    }
}

extension Response {
    /// A 200 answer carrying text.
    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
