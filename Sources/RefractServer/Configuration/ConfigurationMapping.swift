import Yams

/// A mapping of the configuration document: its entries in document order, looked up by key.
///
/// YAML merge keys are honoured (`<<: *defaults`): merged entries fill in the keys the mapping does not
/// write itself.
struct ConfigurationMapping {
    /// One `key: value` entry; `value.path` ends with the key.
    struct Entry {
        let key: String
        let keyMark: Mark?
        let value: ConfigurationNode

        /// An error about the key itself (a bad name), pointing at the key.
        func keyError(_ problem: String) -> ConfigurationError {
            value.source.error(problem, at: value.path, mark: keyMark)
        }
    }

    /// The mapping itself, for messages about missing keys.
    let node: ConfigurationNode
    /// The entries in document order.
    let entries: [Entry]

    init(_ mapping: Node.Mapping, at node: ConfigurationNode) throws(ConfigurationError) {
        self.node = node
        var entries: [Entry] = []
        var merged: [Node] = []
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                let keyNode = ConfigurationNode(node: key, path: node.path, source: node.source)
                throw keyNode.error("expected a string as key, got \(keyNode.shownValue)")
            }
            if keyScalar.style == .plain, keyScalar.string == "<<" {
                merged += value.sequence.map(Array.init) ?? [value]
                continue
            }
            let path = node.path.appending(key: keyScalar.string)
            let value = ConfigurationNode(node: value, path: path, source: node.source)
            entries.append(Entry(key: keyScalar.string, keyMark: key.mark, value: value))
        }
        for source in merged {
            guard case .mapping(let sourceMapping) = source else {
                let sourceNode = ConfigurationNode(node: source, path: node.path, source: node.source)
                throw sourceNode.error("a merge key (<<) takes a mapping or a list of mappings")
            }
            let inherited = try ConfigurationMapping(sourceMapping, at: node)
            for entry in inherited.entries where !entries.contains(where: { $0.key == entry.key }) {
                entries.append(entry)
            }
        }
        self.entries = entries
    }

    /// The value of `key`; nil when the key is absent or its value is null.
    subscript(key: String) -> ConfigurationNode? {
        guard let entry = entries.first(where: { $0.key == key }), !entry.value.isNull else { return nil }
        return entry.value
    }

    /// The value of `key`, which must be given; `condition` says when (`for type s3`).
    func required(_ key: String, _ condition: String? = nil) throws(ConfigurationError) -> ConfigurationNode {
        guard let value = self[key] else { throw missing(key, condition) }
        return value
    }

    /// The error for `key` missing from this mapping; `condition` says when it is required.
    func missing(_ key: String, _ condition: String? = nil) -> ConfigurationError {
        let problem = condition.map { "required \($0)" } ?? "required"
        return node.source.error(problem, at: node.path.appending(key: key), mark: node.node.mark)
    }

    /// Refuses the first key not in `allowed`, listing the keys that are; `context` qualifies the list
    /// (`for type filesystem`).
    func checkKeys(allowed: [String], _ context: String? = nil) throws(ConfigurationError) {
        for entry in entries where !allowed.contains(entry.key) {
            var problem = "unknown key"
            if let suggestion = Self.closest(to: entry.key, among: allowed) {
                problem += ", did you mean \"\(suggestion)\"?"
            }
            let list = allowed.joined(separator: ", ")
            problem += " (expected one of\(context.map { " \($0)" } ?? ""): \(list))"
            throw node.source.error(problem, at: node.path.appending(key: entry.key), mark: entry.keyMark)
        }
    }

    /// The allowed key a typo most likely meant: at most two edits away.
    private static func closest(to key: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 && $0.1 < key.count }
        return scored.min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let lhs = Array(lhs)
        let rhs = Array(rhs)
        var previous = Array(0...rhs.count)
        for (i, left) in lhs.enumerated() {
            var current = [i + 1]
            for (j, right) in rhs.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1)))
            }
            previous = current
        }
        return previous[rhs.count]
    }
}
