/// What each configured user may do, from the `allow` rules of `security.users`.
///
/// Deny by default: an action is allowed only when one of the user's rules names it (or `*`) and its resource
/// pattern matches; unknown users are denied everything.
public struct AccessPolicy: Sendable {
    /// An action a rule allows, written as in the configuration.
    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// GetObject and HeadObject.
        case getObject = "s3:GetObject"
        /// PutObject and the multipart upload operations.
        case putObject = "s3:PutObject"
        /// DeleteObject and AbortMultipartUpload.
        case deleteObject = "s3:DeleteObject"
        /// ListObjectsV2; the resource is the bucket name.
        case listBucket = "s3:ListBucket"
        /// A transform suffix or an access point's pipeline; the resource is the step name.
        case transform = "refract:Transform"
        /// `/_refract/jobs` and `/_refract/events/s3`.
        case admin = "refract:Admin"
        /// In a rule: every action.
        case all = "*"

        /// Object actions take `bucket/key`, and a rule naming just a bucket or access point covers its keys.
        var isObjectAction: Bool {
            self == .getObject || self == .putObject || self == .deleteObject
        }
    }

    /// A rule with its pattern as bytes, ready to match.
    private struct Grant: Sendable {
        let action: Action
        let pattern: [UInt8]
        /// A bare bucket or access-point name (no `/`, no `*`): for object actions it covers every key in it.
        let namesBucket: Bool

        init(_ rule: AllowRule) {
            action = rule.action
            pattern = Array(rule.resource.utf8)
            namesBucket = !rule.resource.contains("/") && !rule.resource.contains("*")
        }

        func allows(_ requested: Action, on resource: [UInt8]) -> Bool {
            guard action == .all || action == requested else { return false }
            if requested.isObjectAction, namesBucket {
                return resource.count > pattern.count && resource.starts(with: pattern)
                    && resource[pattern.count] == UInt8(ascii: "/")
            }
            return AccessPolicy.matches(pattern: pattern, resource)
        }
    }

    private struct User: Sendable {
        let secretAccessKey: String
        let grants: [Grant]
    }

    private let users: [String: User]

    /// The policy of `users`; when two share an access key ID (the configuration refuses that), the first wins.
    public init(users: [UserConfiguration]) {
        var byAccessKeyID: [String: User] = [:]
        for user in users where byAccessKeyID[user.accessKeyID] == nil {
            byAccessKeyID[user.accessKeyID] = User(
                secretAccessKey: user.secretAccessKey,
                grants: user.allow.map(Grant.init)
            )
        }
        self.users = byAccessKeyID
    }

    /// Whether the user with `accessKeyID` may do `action` on `resource`: `bucket/key` for object actions
    /// (an access point's name in place of the bucket through an access point), the bucket name for
    /// `s3:ListBucket`, the step name for `refract:Transform`.
    public func isAllowed(accessKeyID: String, action: Action, resource: String) -> Bool {
        guard let user = users[accessKeyID] else { return false }
        let resource = Array(resource.utf8)
        return user.grants.contains { $0.allows(action, on: resource) }
    }

    /// The secret the SigV4 signature of `accessKeyID` is checked with; nil for an unknown user.
    public func secretAccessKey(for accessKeyID: String) -> String? {
        users[accessKeyID]?.secretAccessKey
    }

    /// Glob matching where `*` matches any run of bytes, `/` included, and every other byte itself.
    ///
    /// Greedy with backtracking to the last `*` only, which is enough when `*` is the only wildcard: linear in
    /// practice, at worst pattern length × text length.
    static func matches(pattern: [UInt8], _ text: [UInt8]) -> Bool {
        let star = UInt8(ascii: "*")
        var patternIndex = 0
        var textIndex = 0
        var lastStar: (pattern: Int, text: Int)?
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] == star {
                lastStar = (patternIndex, textIndex)
                patternIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == text[textIndex] {
                patternIndex += 1
                textIndex += 1
            } else if let star = lastStar {
                lastStar = (star.pattern, star.text + 1)
                patternIndex = star.pattern + 1
                textIndex = star.text + 1
            } else {
                return false
            }
        }
        return pattern[patternIndex...].allSatisfy { $0 == star }
    }
}
