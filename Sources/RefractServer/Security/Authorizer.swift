import Foundation
import HTTPTypes
import RefractCore
import RefractStorage

/// Decides who a request comes from (AWS Signature V4) and whether they may do what they ask.
struct Authorizer: Sendable {
    let policy: AccessPolicy
    /// `s3-object-lambda`: boto3 signs `WriteGetObjectResponse` for that service.
    private let verifier = SigV4Verifier(services: ["s3", "s3-object-lambda"])

    init(policy: AccessPolicy) {
        self.policy = policy
    }

    /// The caller's identity, nil for an anonymous request; a bad signature throws.
    func authenticate(_ request: GatewayRequest) throws -> SigV4Identity? {
        try verifier.verify(
            method: request.method.rawValue,
            rawPath: request.rawPath,
            rawQuery: request.rawQuery,
            headers: request.headerPairs,
            now: Date(),
            secretAccessKey: { policy.secretAccessKey(for: $0) }
        )
    }

    /// Throws `AccessDenied` unless the caller may do `action` on `resource`.
    ///
    /// Reads of a public bucket are open to everyone; everything else needs a user whose rules allow it.
    func authorize(
        _ identity: SigV4Identity?,
        _ action: AccessPolicy.Action,
        resource: String,
        publicRead: Bool
    ) throws(RefractError) {
        if publicRead, [.getObject, .listBucket, .transform].contains(action) { return }
        guard let identity, policy.isAllowed(accessKeyID: identity.accessKeyID, action: action, resource: resource)
        else {
            throw RefractError.accessDenied()
        }
    }
}
