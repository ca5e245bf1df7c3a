import Yams

/// Where a configuration document comes from, and the environment its `${VAR}` references read.
struct ConfigurationSource {
    /// The file name used in messages; nil for a document given as text.
    let file: String?
    let environment: [String: String]

    func error(_ problem: String, at path: ConfigurationPath, mark: Mark?) -> ConfigurationError {
        ConfigurationError(
            file: file,
            line: mark?.line,
            column: mark?.column,
            path: path.description,
            problem: problem
        )
    }

    /// The document's root value, or nil for an empty document.
    func root(of yaml: String) throws(ConfigurationError) -> ConfigurationNode? {
        let shielded = EnvironmentExpansion.shield(yaml)
        let node: Node?
        do {
            node = try Yams.compose(yaml: shielded)
        } catch let yamlError as YamlError {
            throw error(for: yamlError)
        } catch {
            throw ConfigurationError(file: file, problem: "invalid YAML: \(error)")
        }
        guard let node else { return nil }
        return ConfigurationNode(node: shielded == yaml ? node : Self.unshield(node), path: .root, source: self)
    }

    /// `node` with the text of every scalar unshielded, positions and styles kept.
    private static func unshield(_ node: Node) -> Node {
        switch node {
        case .scalar(var scalar):
            scalar.string = EnvironmentExpansion.unshield(scalar.string)
            return .scalar(scalar)
        case .mapping(let mapping):
            let pairs = mapping.map { (unshield($0.key), unshield($0.value)) }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(unshield), sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    private func error(for yamlError: YamlError) -> ConfigurationError {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return error("invalid YAML: \(text)", at: .root, mark: mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\(EnvironmentExpansion.unshield($0))\"" }.joined(separator: ", ")
            return error("duplicate key \(keys)", at: .root, mark: context.mark)
        case .reader(let problem, _, _, _):
            return ConfigurationError(file: file, problem: "invalid YAML: \(problem)")
        default:
            return ConfigurationError(file: file, problem: "invalid YAML: \(yamlError)")
        }
    }
}
