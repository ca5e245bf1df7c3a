import Yams

/// One value of the configuration document with its key path, and the readers that type it.
///
/// Every reader expands `${VAR}` in scalars before typing them, and names the path, line and column of the
/// value in the errors it throws.
struct ConfigurationNode {
    let node: Node
    let path: ConfigurationPath
    let source: ConfigurationSource

    func error(_ problem: String) -> ConfigurationError {
        source.error(problem, at: path, mark: node.mark)
    }

    /// `~`, `null` or nothing at all (`key:`): the key is treated as absent.
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    var isSequence: Bool {
        if case .sequence = node { true } else { false }
    }

    /// What the value is, for messages: `"lots"`, `a mapping`, `a list`.
    var shownValue: String {
        switch node {
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    // MARK: Scalars

    /// The scalar's text with `${VAR}` expanded; `expected` describes the value for the message when it is
    /// not a scalar.
    func text(expected: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error("expected \(expected), got \(shownValue)")
        }
        do {
            return try EnvironmentExpansion.expand(scalar.string, environment: source.environment)
        } catch {
            throw self.error(error.problem)
        }
    }

    func string() throws(ConfigurationError) -> String {
        try text(expected: "a string")
    }

    /// A string that must not be empty: a name, a URL, a path.
    func nonEmptyString() throws(ConfigurationError) -> String {
        let value = try text(expected: "a string")
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    /// A string where empty means "not set" (`api_key: ${KEY:-}`).
    func optionalString() throws(ConfigurationError) -> String? {
        let value = try text(expected: "a string")
        return value.isEmpty ? nil : value
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let expected =
            range.upperBound == Int.max ? "an integer of at least \(range.lowerBound)" : "an integer in \(range)"
        let value = try text(expected: expected)
        guard let integer = NumberSyntax.integer(value), range.contains(integer) else {
            throw error("expected \(expected), got \"\(value)\"")
        }
        return integer
    }

    func boolean() throws(ConfigurationError) -> Bool {
        let value = try text(expected: "true or false")
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \"\(value)\"")
        }
    }

    /// A byte count such as `50MiB`, `256KiB`, `10MB` or `8000`, at least `minimum`.
    func byteCount(atLeast minimum: Int = 1) throws(ConfigurationError) -> Int {
        let expected = "a size such as 50MiB"
        let value = try text(expected: expected)
        guard let bytes = ByteCountSyntax.parse(value) else {
            throw error("expected \(expected), got \"\(value)\"")
        }
        guard bytes >= minimum else { throw error("must be at least \(minimum) bytes, got \"\(value)\"") }
        return bytes
    }

    /// A duration such as `10s`, `250ms`, `5m`, `1h`, `1d` or a number of seconds.
    func duration(positive: Bool = false) throws(ConfigurationError) -> Duration {
        let expected = "a duration such as 10s, 250ms or 5m"
        let value = try text(expected: expected)
        guard let duration = DurationSyntax.parse(value) else {
            throw error("expected \(expected), got \"\(value)\"")
        }
        guard !positive || duration > .zero else { throw error("must be longer than 0s, got \"\(value)\"") }
        return duration
    }

    /// One of the raw values of `Choice`, e.g. `filesystem` or `s3`.
    func choice<Choice: CaseIterable & RawRepresentable<String>>(
        of type: Choice.Type = Choice.self
    ) throws(ConfigurationError) -> Choice {
        let names = Choice.allCases.map(\.rawValue)
        let expected = "one of " + names.joined(separator: ", ")
        let value = try text(expected: expected)
        guard let choice = Choice.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) else {
            throw error("expected \(expected), got \"\(value)\"")
        }
        return choice
    }

    /// A URL with an `http` or `https` scheme and a host.
    func httpURL() throws(ConfigurationError) -> String {
        let value = try nonEmptyString()
        let lowercased = value.lowercased()
        let scheme = ["http://", "https://"].first { lowercased.hasPrefix($0) }
        guard let scheme, let host = value.dropFirst(scheme.count).split(separator: "/").first, !host.isEmpty else {
            throw error("expected an http:// or https:// URL, got \"\(value)\"")
        }
        return value
    }

    // MARK: Collections

    /// The elements of a list, each with its indexed path.
    func list() throws(ConfigurationError) -> [ConfigurationNode] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list, got \(shownValue)")
        }
        return sequence.enumerated().map { index, element in
            ConfigurationNode(node: element, path: path.appending(index: index), source: source)
        }
    }

    /// A list of strings; a single string stands for a list of one (`suffix: .jpg`).
    func stringList() throws(ConfigurationError) -> [String] {
        guard isSequence else { return [try string()] }
        var strings: [String] = []
        for element in try list() {
            strings.append(try element.string())
        }
        return strings
    }

    /// A mapping whose keys must all be among `allowedKeys`.
    func mapping(allowedKeys: [String]) throws(ConfigurationError) -> ConfigurationMapping {
        let mapping = try mapping()
        try mapping.checkKeys(allowed: allowedKeys)
        return mapping
    }

    /// A mapping with keys not known in advance (names of stores, buckets, ...), keys checked by the caller.
    func mapping() throws(ConfigurationError) -> ConfigurationMapping {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping, got \(shownValue)")
        }
        return try ConfigurationMapping(mapping, at: self)
    }
}
