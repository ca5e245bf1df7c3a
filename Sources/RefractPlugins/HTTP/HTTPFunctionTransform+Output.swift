import AsyncHTTPClient
import NIOHTTP1
import RefractCore

extension HTTPFunctionTransform {
    /// The object headers a function may set besides `Content-Type` and `Content-Length`.
    static let forwardedHeaders: Set<String> = [
        "cache-control", "content-disposition", "content-encoding", "content-language", "expires",
    ]

    /// The step's output for an object delivered with `WriteGetObjectResponse`, or the error it reports.
    func output(of delivery: FunctionDelivery) throws -> TransformOutput {
        if delivery.isError {
            throw RefractError.reportedByFunction(
                code: delivery.errorCode ?? "LambdaRuntimeError",
                status: delivery.status >= 400 ? delivery.status : 500,
                message: delivery.errorMessage ?? "The function \(descriptor.name) reported an error."
            )
        }
        return TransformOutput(
            body: delivery.body,
            contentType: delivery.headers["content-type"] ?? "application/octet-stream",
            contentLength: delivery.headers["content-length"].flatMap { Int($0) },
            headers: Self.objectHeaders(delivery.headers.map { ($0.key, $0.value) }),
            status: delivery.status
        )
    }

    /// The step's output for a function that answered its POST with the object itself.
    func output(of response: HTTPClientResponse) -> TransformOutput {
        TransformOutput(
            body: ObjectBody(response.body),
            contentType: response.headers.first(name: "content-type") ?? "application/octet-stream",
            contentLength: response.headers.first(name: "content-length").flatMap { Int($0) },
            headers: Self.objectHeaders(response.headers.map { ($0.name, $0.value) }),
            status: Int(response.status.code)
        )
    }

    /// The headers of `fields` the client may see: the forwarded ones and `x-amz-meta-*`, names lower-cased.
    private static func objectHeaders(_ fields: [(String, String)]) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in fields {
            let name = name.lowercased()
            if forwardedHeaders.contains(name) || name.hasPrefix("x-amz-meta-") { headers[name] = value }
        }
        return headers
    }
}
