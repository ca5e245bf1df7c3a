/// One entry of `security.users`: a pair of SigV4 credentials and what they allow.
public struct UserConfiguration: Sendable, Equatable {
    /// `access_key_id`.
    public var accessKeyID: String
    /// `secret_access_key`.
    public var secretAccessKey: String
    /// `allow`: the rules granting this user actions; anything not granted is denied.
    public var allow: [AllowRule]

    public init(accessKeyID: String, secretAccessKey: String, allow: [AllowRule] = []) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.allow = allow
    }
}

extension UserConfiguration {
    init(from node: ConfigurationNode, bucketNames: Set<String>, accessPointNames: Set<String>)
        throws(ConfigurationError)
    {
        let mapping = try node.mapping(allowedKeys: ["access_key_id", "secret_access_key", "allow"])
        self.init(
            accessKeyID: try mapping.required("access_key_id").nonEmptyString(),
            secretAccessKey: try mapping.required("secret_access_key").nonEmptyString()
        )
        for element in try mapping["allow"]?.list() ?? [] {
            let text = try element.string()
            let rule: AllowRule
            do {
                rule = try AllowRule(parsing: text)
            } catch {
                throw element.error(error.problem)
            }
            if let bucket = rule.namedBucket, !bucketNames.isEmpty,
                !bucketNames.contains(bucket), !accessPointNames.contains(bucket)
            {
                let known = (bucketNames.union(accessPointNames)).sorted().joined(separator: ", ")
                throw element.error("no bucket or access point named \"\(bucket)\" (known: \(known))")
            }
            allow.append(rule)
        }
    }
}
