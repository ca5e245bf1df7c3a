import Foundation
import RefractCore

extension SigV4ReceivedAuthorization {
    /// Query parameters whose presence makes a request presigned.
    static let queryMarkers: Set<String> = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"]

    /// Parses a presigned URL's `X-Amz-*` parameters and checks that it is valid now.
    init(query parameters: [(name: String, value: String)], now: Date, skew: Duration) throws {
        func malformed(_ reason: String) -> RefractError {
            .authorizationHeaderMalformed("The presigned URL is malformed; \(reason)")
        }
        func parameter(_ name: String) -> String? {
            parameters.first { $0.name == name }?.value
        }

        guard let algorithm = parameter("X-Amz-Algorithm"), let credential = parameter("X-Amz-Credential"),
            let date = parameter("X-Amz-Date"), let expiresText = parameter("X-Amz-Expires"),
            let signedHeaders = parameter("X-Amz-SignedHeaders"), let signature = parameter("X-Amz-Signature")
        else {
            throw RefractError.authorizationHeaderMalformed(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                    + "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
            )
        }
        guard algorithm == SigV4Scope.algorithm else {
            throw RefractError.accessDenied("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        let (accessKeyID, scope) = try Self.parseCredential(credential, malformed: malformed)
        guard let amzDate = AmzDate(date) else {
            throw RefractError.authorizationHeaderMalformed("X-Amz-Date must be in the ISO8601 Long Format")
        }
        guard amzDate.day == scope.day else {
            throw malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        guard let expires = Int(expiresText), expires >= 0 else {
            throw RefractError.authorizationHeaderMalformed("X-Amz-Expires should be a number")
        }
        guard expires <= Int(SigV4Signer.maxPresignedValidity.components.seconds) else {
            throw RefractError.authorizationHeaderMalformed(
                "X-Amz-Expires must be less than a week (in seconds) that is 604800"
            )
        }
        guard amzDate.date.timeIntervalSince(now) <= TimeInterval(skew.components.seconds) else {
            throw RefractError.accessDenied("Request is not valid yet")
        }
        guard now.timeIntervalSince(amzDate.date) <= TimeInterval(expires) else {
            throw RefractError.accessDenied("Request has expired")
        }

        // S3 SDKs presign with UNSIGNED-PAYLOAD; a URL may instead name the payload's hash, as MinIO allows.
        let payloadHashText = parameter("X-Amz-Content-Sha256") ?? SigV4PayloadHash.unsigned.value
        guard let payloadHash = SigV4PayloadHash(payloadHashText) else {
            throw RefractError.invalidArgument("X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
        }

        self.init(
            form: .presignedURL,
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
