import Foundation
import HTTPTypes
import Hummingbird
import RefractCore

/// A request as the gateway reads it: the raw path split into bucket, key and suffix, the query decoded.
struct GatewayRequest: Sendable {
    let method: HTTPRequest.Method
    /// The path as sent, still percent-encoded, without the query.
    let rawPath: String
    /// The query as sent, without "?".
    let rawQuery: String
    /// Query parameters decoded; a parameter given without a value (`?uploads`) maps to "".
    let query: [String: String]
    let headers: HTTPFields
    /// The `Host` header, which HTTP types keep apart from the other fields.
    let authority: String?
    let path: RequestPath

    init(_ request: Request) throws(RefractError) {
        method = request.method
        let target = request.head.path ?? "/"
        if let questionMark = target.firstIndex(of: "?") {
            rawPath = String(target[..<questionMark])
            rawQuery = String(target[target.index(after: questionMark)...])
        } else {
            rawPath = target
            rawQuery = ""
        }
        query = try Self.decodeQuery(rawQuery)
        headers = request.headers
        authority = request.head.authority
        path = try RequestPath(rawPath: rawPath)
    }

    /// A header's value; repeated fields are joined with ",", as HTTP allows.
    func header(_ name: HTTPField.Name) -> String? {
        let values = headers[values: name]
        return values.isEmpty ? nil : values.joined(separator: ",")
    }

    /// The client's headers with lower-cased names, `host` included, for transforms and the SigV4 check.
    var headerPairs: [(name: String, value: String)] {
        let fields = headers.map { (name: $0.name.canonicalName, value: $0.value) }
        guard let authority else { return fields }
        return [(name: "host", value: authority)] + fields
    }

    /// Decodes `a=1&b&c=%2F`; `+` is a space, as S3 reads its query strings.
    private static func decodeQuery(_ raw: String) throws(RefractError) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard
                let name = parts[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                let value = (parts.count > 1 ? String(parts[1]) : "").replacingOccurrences(of: "+", with: " ")
                    .removingPercentEncoding
            else {
                throw RefractError.invalidArgument("The query string is not valid percent-encoded UTF-8.")
            }
            parameters[name] = value
        }
        return parameters
    }
}
