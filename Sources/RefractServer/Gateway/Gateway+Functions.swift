import HTTPTypes
import Hummingbird
import RefractCore
import RefractPlugins
import RefractStorage

extension Gateway {
    /// `POST /WriteGetObjectResponse`: an http function sends the object a waiting request answers with.
    ///
    /// Any signed user may call it: the single-use `x-amz-request-token` from the function's event is what binds
    /// the object to a request. Answers once the object has reached the waiting client whole.
    func writeGetObjectResponse(_ call: ObjectCall) async throws -> Response {
        call.exchange.operation = "WriteGetObjectResponse"
        guard call.identity != nil else {
            throw RefractError.accessDenied("WriteGetObjectResponse must be signed.")
        }
        guard let route = call.request.header(Self.requestRoute), let token = call.request.header(Self.requestToken)
        else {
            throw RefractError.invalidRequest(
                "WriteGetObjectResponse needs x-amz-request-route and x-amz-request-token.")
        }
        var status = 200
        if let text = call.request.header(Self.forwardedStatus) {
            guard let code = Int(text), (100...599).contains(code) else {
                throw RefractError.invalidArgument("x-amz-fwd-status must be an HTTP status code, got \(text).")
            }
            status = code
        }
        let payload = try verifiedPayload(call)
        var headers: [String: String] = [:]
        if let length = payload.contentLength { headers["content-length"] = String(length) }
        for field in call.request.headers {
            let name = field.name.canonicalName
            if name.hasPrefix(Self.forwardedHeaderPrefix) {
                headers[String(name.dropFirst(Self.forwardedHeaderPrefix.count))] = field.value
            } else if name.hasPrefix("x-amz-meta-") {
                headers[name] = field.value
            }
        }
        try await functions.responses.deliver(
            route: route,
            token: token,
            FunctionDelivery(
                status: status,
                errorCode: call.request.header(Self.forwardedErrorCode),
                errorMessage: call.request.header(Self.forwardedErrorMessage),
                headers: headers,
                body: payload.body
            )
        )
        return Response(status: .ok)
    }

    /// `GET /_refract/inputs/TOKEN`: the input of an http function's step, when it is not the stored object.
    func functionInput(token: String) async throws -> Response {
        guard let input = functions.takeInput(token: token) else {
            throw RefractError.noSuchKey("The function input is unknown, was already read, or has expired.")
        }
        var headers: HTTPFields = [.contentType: input.contentType]
        if let length = input.contentLength { headers[.contentLength] = String(length) }
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody(contentLength: input.contentLength) { writer in
                try await writer.write(input.body)
                try await writer.finish(nil)
            }
        )
    }

    private static let requestRoute = HTTPField.Name("x-amz-request-route")!
    private static let requestToken = HTTPField.Name("x-amz-request-token")!
    private static let forwardedStatus = HTTPField.Name("x-amz-fwd-status")!
    private static let forwardedErrorCode = HTTPField.Name("x-amz-fwd-error-code")!
    private static let forwardedErrorMessage = HTTPField.Name("x-amz-fwd-error-message")!
    private static let forwardedHeaderPrefix = "x-amz-fwd-header-"
}
