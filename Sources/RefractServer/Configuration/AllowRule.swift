/// An allow rule of a user, written `ACTION RESOURCE`: `s3:GetObject photos/*`, `refract:Transform resize`.
///
/// `*` in the resource matches any run of characters, `/` included; everything else matches itself.
/// For object actions the resource is `bucket/key-pattern`, or a bucket or access-point name alone, which
/// stands for every key in it; for `s3:ListBucket` it is the bucket name; for `refract:Transform` the step
/// name; for `refract:Admin` the reserved path after `/_refract/` (usually `*`).
public struct AllowRule: Sendable, Equatable, CustomStringConvertible {
    /// The action allowed; `*` allows every action.
    public var action: AccessPolicy.Action
    /// The pattern of the resources it is allowed on.
    public var resource: String

    public init(action: AccessPolicy.Action, resource: String) {
        self.action = action
        self.resource = resource
    }

    /// Why a rule could not be read, phrased for a configuration message.
    struct ParseFailure: Error {
        let problem: String
    }

    /// Reads `ACTION RESOURCE`; actions are matched without regard to case, as IAM does.
    init(parsing text: String) throws(ParseFailure) {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count == 2 else {
            throw ParseFailure(
                problem: "expected \"ACTION RESOURCE\" such as \"s3:GetObject photos/*\", got \"\(text)\"")
        }
        let actionName = words[0].lowercased()
        guard let action = AccessPolicy.Action.allCases.first(where: { $0.rawValue.lowercased() == actionName }) else {
            let actions = AccessPolicy.Action.allCases.map(\.rawValue).joined(separator: ", ")
            throw ParseFailure(problem: "unknown action \"\(words[0])\" (expected one of: \(actions))")
        }
        self.init(action: action, resource: String(words[1]))
    }

    /// The bucket or access point the resource names without a wildcard, for checking it exists.
    var namedBucket: String? {
        switch action {
        case .getObject, .putObject, .deleteObject, .listBucket:
            let bucket = resource.prefix { $0 != "/" }
            return bucket.contains("*") ? nil : String(bucket)
        case .transform, .admin, .all:
            return nil
        }
    }

    public var description: String { "\(action.rawValue) \(resource)" }
}
