/// `security`: who may do what, and how suffix URLs are signed.
public struct SecurityConfiguration: Sendable, Equatable {
    /// `users`: the credentials SigV4 requests are checked against, and what each may do.
    public var users: [UserConfiguration]
    /// `signing`: the keys of signed suffix URLs.
    public var signing: SigningConfiguration
    /// `only_presets`: transform suffixes may only name presets (others are `InvalidTransform`).
    public var onlyPresets: Bool
    /// `events_token`: the bearer token `/_refract/events/s3` accepts besides `refract:Admin` credentials;
    /// nil (also when configured empty) accepts no token.
    public var eventsToken: String?

    public init(
        users: [UserConfiguration] = [],
        signing: SigningConfiguration = SigningConfiguration(),
        onlyPresets: Bool = false,
        eventsToken: String? = nil
    ) {
        self.users = users
        self.signing = signing
        self.onlyPresets = onlyPresets
        self.eventsToken = eventsToken
    }
}

extension SecurityConfiguration {
    /// Reads `security`; allow rules naming a bucket must name a configured bucket or access point, unless
    /// `bucketNames` is empty (then every folder of the `local` store is a bucket).
    init(from node: ConfigurationNode, bucketNames: Set<String>, accessPointNames: Set<String>)
        throws(ConfigurationError)
    {
        let mapping = try node.mapping(allowedKeys: ["users", "signing", "only_presets", "events_token"])
        self.init()
        if let value = mapping["users"] {
            for element in try value.list() {
                let user = try UserConfiguration(
                    from: element,
                    bucketNames: bucketNames,
                    accessPointNames: accessPointNames
                )
                if users.contains(where: { $0.accessKeyID == user.accessKeyID }) {
                    throw element.error("access_key_id \"\(user.accessKeyID)\" is given to another user too")
                }
                users.append(user)
            }
        }
        if let value = mapping["signing"] { signing = try SigningConfiguration(from: value) }
        if let value = mapping["only_presets"] { onlyPresets = try value.boolean() }
        if let value = mapping["events_token"] { eventsToken = try value.optionalString() }
    }
}
