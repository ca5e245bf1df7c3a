import Foundation
import RefractCore
import RefractStorage

/// A ListObjects or ListObjectsV2 request, read from its query parameters.
struct ObjectListing {
    enum Version {
        case version1(marker: String?)
        case version2(continuationToken: String?, startAfter: String?)
    }

    var version: Version
    var query: ListQuery
    var encodeKeys: Bool

    init(_ parameters: [String: String]) throws(RefractError) {
        var maxKeys = 1000
        if let text = parameters["max-keys"] {
            guard let value = Int(text), value >= 0 else {
                throw RefractError.invalidArgument("max-keys must be a non-negative integer, got '\(text)'.")
            }
            maxKeys = min(value, 1000)
        }
        switch parameters["encoding-type"] {
        case nil: encodeKeys = false
        case "url": encodeKeys = true
        case let other?: throw RefractError.invalidArgument("Invalid Encoding Method specified in Request: '\(other)'.")
        }
        let delimiter = parameters["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        query = ListQuery(prefix: parameters["prefix"] ?? "", delimiter: delimiter, maxKeys: maxKeys)
        if parameters["list-type"] == "2" {
            let token = parameters["continuation-token"]
            let startAfter = parameters["start-after"]
            version = .version2(continuationToken: token, startAfter: startAfter)
            if let token {
                query.startAfter = try Self.key(fromContinuationToken: token)
            } else {
                query.startAfter = startAfter.flatMap { $0.isEmpty ? nil : $0 }
            }
        } else if let listType = parameters["list-type"] {
            throw RefractError.invalidArgument("list-type must be 2, got '\(listType)'.")
        } else {
            let marker = parameters["marker"]
            version = .version1(marker: marker)
            query.startAfter = marker.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Continuation tokens are opaque to clients: the key to continue after, base64url-encoded.
    static func continuationToken(after key: String) -> String {
        Data(key.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func key(fromContinuationToken token: String) throws(RefractError) -> String {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8), !key.isEmpty
        else {
            throw RefractError.invalidArgument("The continuation token provided is incorrect.")
        }
        return key
    }
}
