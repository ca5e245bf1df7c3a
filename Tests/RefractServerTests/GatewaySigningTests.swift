import Foundation
import HTTPTypes
import HummingbirdTesting
import RefractServer
import Testing

@Suite("Signed transform URLs")
struct GatewaySigningTests {
    /// Keys are hex: `key-one`, `key-two`.
    private static let twoKeys = "security: {signing: {keys: [6b65792d6f6e65, 6b65792d74776f]}}"
    private static let required = "security: {signing: {keys: [6b65792d6f6e65], required: true}}"

    private func signed(_ path: String, key: String = "6b65792d6f6e65", validFor seconds: Double = 600) -> String {
        let signer = URLSigner(keys: [Array(hexBytes(key))])
        return "\(path)?\(signer.query(path: path, expiry: Date().addingTimeInterval(seconds)))"
    }

    @Test func signaturesAreHMACSHA256OfPathAndExpiryInBase64URL() {
        // The value computed independently with Python's hmac module.
        let signer = URLSigner(keys: [Array(hexBytes("6b65792d6f6e65"))])
        let expiry = Date(timeIntervalSince1970: 4_102_444_800)
        #expect(
            signer.query(path: "/docs/hello.txt!upper", expiry: expiry)
                == "exp=4102444800&sig=Ldu1Sr0oCuGKzs4Z4YHeI0yAZOnnjvCt5MqfvJW5iC0"
        )
    }

    @Test func anySignatureOfAConfiguredKeyGrantsTheTransformedRead() async throws {
        try await GatewayFixture(extraConfiguration: Self.twoKeys).withClient { client in
            for key in ["6b65792d6f6e65", "6b65792d74776f"] {
                try await client.execute(uri: signed("/vault/secret.txt!upper", key: key), method: .get) {
                    #expect($0.status == .ok, "a signature is a grant, as a presigned URL is")
                    #expect($0.text == "TOP SECRET")
                }
            }
            try await client.execute(uri: "/vault/secret.txt!upper", method: .get) {
                #expect($0.status == .forbidden)
            }
        }
    }

    @Test func wrongExpiredOrTamperedSignaturesAreRefused() async throws {
        try await GatewayFixture(extraConfiguration: Self.twoKeys).withClient { client in
            let valid = signed("/docs/hello.txt!upper")
            let uris = [
                signed("/docs/hello.txt!upper", key: "6b65792d7468726565"),
                signed("/docs/hello.txt!upper", validFor: -5),
                valid.replacingOccurrences(of: "!upper", with: "!repeat"),
                valid.replacingOccurrences(of: "&sig=", with: "&sig=A"),
                "/docs/hello.txt!upper?exp=4102444800",
                "/docs/hello.txt!upper?sig=abc",
            ]
            for uri in uris {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    #expect(response.errorCode == "AccessDenied")
                }
            }
            try await client.execute(uri: valid, method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func requiredSigningClosesAnonymousTransformsButNotPlainReads() async throws {
        try await GatewayFixture(extraConfiguration: Self.required).withClient { client in
            try await client.execute(uri: "/docs/hello.txt!upper", method: .get) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: signed("/docs/hello.txt!upper"), method: .get) {
                #expect($0.text == "HELLO WORLD")
            }
            try await client.execute(uri: "/docs/hello.txt", method: .get) { #expect($0.text == "hello world") }
        }
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
    }
}
