import Crypto
public import Foundation
import RefractCore
import RefractStorage

/// Signed transform URLs: `?exp=UNIX&sig=BASE64URL(HMAC-SHA256(key, PATH + "\n" + exp))`.
///
/// `PATH` is the request path exactly as it goes on the wire, percent-encoding and transform suffix included, so the
/// gateway checks the bytes it receives without decoding them first. Every key verifies (rotation); the first signs.
public struct URLSigner: Sendable {
    /// The HMAC keys, as their bytes.
    public let keys: [[UInt8]]

    public init(keys: [[UInt8]]) {
        self.keys = keys
    }

    /// The query string (`exp=...&sig=...`) that signs `path` until `expiry`, with the first key.
    public func query(path: String, expiry: Date) -> String {
        let expiry = String(Int(expiry.timeIntervalSince1970.rounded(.up)))
        return "exp=\(expiry)&sig=\(Self.signature(key: keys[0], path: path, expiry: expiry))"
    }

    /// Whether the request carries a valid signature: nil when it carries none, else true; a signature that is
    /// wrong, malformed or past its expiry throws `AccessDenied`.
    func verify(rawPath: String, query: [String: String], now: Date) throws(RefractError) -> Bool? {
        guard query["exp"] != nil || query["sig"] != nil else { return nil }
        guard let expiry = query["exp"], let signature = query["sig"], let seconds = Int(expiry), !keys.isEmpty else {
            throw .accessDenied("A signed URL needs both exp and sig, and a gateway with signing keys.")
        }
        guard Double(seconds) > now.timeIntervalSince1970 else {
            throw .accessDenied("The signed URL has expired.")
        }
        let valid = keys.contains { key in
            SigV4Hashing.constantTimeEquals(Self.signature(key: key, path: rawPath, expiry: expiry), signature)
        }
        guard valid else { throw .accessDenied("The URL signature does not match.") }
        return true
    }

    static func signature(key: [UInt8], path: String, expiry: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(path)\n\(expiry)".utf8), using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
