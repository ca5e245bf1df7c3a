import Foundation
import RefractCore

extension SigV4ReceivedAuthorization {
    /// Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` and the headers it relies on.
    init(header authorization: String, headers: [(name: String, value: String)], now: Date, skew: Duration) throws {
        func malformed(_ reason: String) -> RefractError {
            .authorizationHeaderMalformed("The authorization header is malformed; \(reason)")
        }
        func headerValue(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }.map { SigV4Canonical.headerValue($0.value) }
        }

        let trimmed = SigV4Canonical.headerValue(authorization)
        guard let space = trimmed.firstIndex(of: " "), trimmed[..<space] == SigV4Scope.algorithm else {
            throw RefractError.accessDenied(
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
            )
        }
        var components: [String: String] = [:]
        for component in trimmed[trimmed.index(after: space)...].split(separator: ",") {
            let pair = SigV4Canonical.headerValue(String(component))
            guard let equals = pair.firstIndex(of: "=") else {
                throw malformed("the authorization component \"\(pair)\" is malformed.")
            }
            components[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        guard let credential = components["Credential"], let signedHeaders = components["SignedHeaders"],
            let signature = components["Signature"]
        else {
            throw malformed(
                "the authorization header requires three components: Credential, SignedHeaders, and Signature."
            )
        }
        let (accessKeyID, scope) = try Self.parseCredential(credential, malformed: malformed)

        let amzDate: AmzDate
        if let value = headerValue("x-amz-date") {
            guard let parsed = AmzDate(value) else {
                throw RefractError.accessDenied("AWS authentication requires a valid Date or x-amz-date header")
            }
            amzDate = parsed
        } else if let value = headerValue("date"), let parsed = AmzDate(httpDate: value) {
            amzDate = parsed
        } else {
            throw RefractError.accessDenied("AWS authentication requires a valid Date or x-amz-date header")
        }
        guard amzDate.day == scope.day else {
            throw malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        let offset = abs(amzDate.date.timeIntervalSince(now))
        guard offset <= TimeInterval(skew.components.seconds) else {
            throw RefractError.requestTimeTooSkewed()
        }

        guard let payloadHashText = headerValue("x-amz-content-sha256") else {
            throw RefractError.invalidRequest("Missing required header for this request: x-amz-content-sha256")
        }
        guard let payloadHash = SigV4PayloadHash(payloadHashText) else {
            throw RefractError.invalidArgument(
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                    + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER "
                    + "or a valid sha256 value."
            )
        }

        self.init(
            form: .header,
            accessKeyID: accessKeyID,
            scope: scope,
            amzDate: amzDate,
            signedHeaders: try Self.parseSignedHeaders(signedHeaders, malformed: malformed),
            signature: signature,
            payloadHash: payloadHash,
            payloadHashText: payloadHashText
        )
    }
}
