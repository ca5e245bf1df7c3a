import Foundation
import RefractCore
public import RefractPlugins

extension PluginManifest {
    /// The manifests of every plugin in `directory`: each folder holding a `transform.yml`, in name order.
    ///
    /// A folder without `transform.yml` is not a plugin and is skipped; a missing `directory` has no plugins.
    /// Errors name the manifest file, the line and the key.
    public static func loadAll(
        in directory: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> [PluginManifest] {
        let folders: [String]
        do {
            folders = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            guard FileManager.default.fileExists(atPath: directory) else { return [] }
            throw ConfigurationError(file: directory, problem: "cannot list the plugins folder: \(error)")
        }
        var manifests: [PluginManifest] = []
        for folder in folders.sorted() where !folder.hasPrefix(".") {
            let file = (directory as NSString).appendingPathComponent("\(folder)/transform.yml")
            guard FileManager.default.fileExists(atPath: file) else { continue }
            manifests.append(try load(file: file, environment: environment))
        }
        return manifests
    }

    /// The manifest in `file` (`transforms/NAME/transform.yml`), checked: its `name` must be its folder's.
    public static func load(file: String, environment: [String: String]) throws(ConfigurationError) -> PluginManifest {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, problem: "cannot read the file")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: file, problem: "the file is not UTF-8 text")
        }
        let source = ConfigurationSource(file: file, environment: environment)
        guard let root = try source.root(of: yaml), !root.isNull else {
            throw ConfigurationError(file: file, problem: "the manifest is empty")
        }
        let directory = ((file as NSString).deletingLastPathComponent as NSString).standardizingPath
        return try PluginManifest(from: root, directory: directory)
    }

    private static let keys = [
        "name", "version", "description", "accepts", "runtime", "command", "url", "timeout", "parameters",
        "concurrency", "queue_limit", "max_output",
    ]

    private enum RuntimeName: String, CaseIterable {
        case exec
        case http
    }

    init(from root: ConfigurationNode, directory: String) throws(ConfigurationError) {
        let mapping = try root.mapping(allowedKeys: Self.keys)
        let nameNode = try mapping.required("name")
        let name = try nameNode.nonEmptyString()
        guard SuffixParser.isValidStepName(name) else {
            throw nameNode.error("a transform name is lower-case letters, digits, '_' and '-', starting with a letter")
        }
        let folder = (directory as NSString).lastPathComponent
        guard name == folder else {
            throw nameNode.error("the plugin's name must be its folder's name, \"\(folder)\", got \"\(name)\"")
        }
        var parameters: [TransformParameter] = []
        if let value = mapping["parameters"] {
            for entry in try value.mapping().entries {
                parameters.append(try Self.parameter(named: entry.key, from: entry.value))
            }
        }
        let runtime: Runtime
        switch try mapping.required("runtime").choice(of: RuntimeName.self) {
        case .exec:
            if mapping["url"] != nil { throw mapping["url"]!.error("an exec plugin has a command, not a url") }
            let commandNode = try mapping.required("command", "for runtime exec")
            let command = try commandNode.stringList()
            guard let program = command.first, !program.isEmpty else {
                throw commandNode.error("expected the program to run and its arguments")
            }
            runtime = .exec(command: command)
        case .http:
            if let command = mapping["command"] { throw command.error("an http plugin has a url, not a command") }
            runtime = .http(url: try mapping.required("url", "for runtime http").httpURL())
        }
        self.init(
            descriptor: TransformDescriptor(
                name: name,
                version: try mapping["version"]?.nonEmptyString() ?? "0",
                summary: try mapping["description"]?.string() ?? "",
                parameters: parameters,
                accepts: try mapping["accepts"]?.stringList() ?? []
            ),
            runtime: runtime,
            directory: directory
        )
        if let value = mapping["timeout"] { timeout = try value.duration(positive: true) }
        if let value = mapping["concurrency"] { concurrency = try value.integer(in: 1...1024) }
        if let value = mapping["queue_limit"] { queueLimit = try value.integer(in: 0...100_000) }
        if let value = mapping["max_output"] { maxOutputBytes = try value.byteCount() }
    }

    private enum ParameterType: String, CaseIterable {
        case string
        case integer
        case number
        case boolean
        case choice
    }

    /// One entry of `parameters`: `{type: integer, min: 1, max: 10, default: 3, description: ...}`.
    private static func parameter(
        named name: String,
        from node: ConfigurationNode
    ) throws(ConfigurationError) -> TransformParameter {
        guard SuffixParser.isValidParameterName(name) else {
            throw node.error("a parameter name is lower-case letters, digits and '_', starting with a letter")
        }
        let mapping = try node.mapping(allowedKeys: ["type", "default", "min", "max", "values", "description"])
        let type = try mapping.required("type").choice(of: ParameterType.self)
        let kind: TransformParameter.Kind
        switch type {
        case .integer:
            let lower = try mapping["min"]?.integer(in: Int.min...Int.max) ?? Int.min
            let upper = try mapping["max"]?.integer(in: lower...Int.max) ?? Int.max
            kind = .integer(lower...upper)
        case .number:
            let lower = try mapping["min"].map { node throws(ConfigurationError) in try number(node) } ?? -.infinity
            let upper = try mapping["max"].map { node throws(ConfigurationError) in try number(node) } ?? .infinity
            guard lower <= upper else { throw mapping["max"]!.error("must not be below min") }
            kind = .number(lower...upper)
        case .choice:
            let valuesNode = try mapping.required("values", "for type choice")
            let values = try valuesNode.stringList()
            guard !values.isEmpty else { throw valuesNode.error("expected at least one value") }
            kind = .choice(values)
        case .string, .boolean:
            kind = type == .string ? .string : .boolean
        }
        if type != .integer, type != .number, let bound = mapping["min"] ?? mapping["max"] {
            throw bound.error("only integer and number parameters have bounds")
        }
        if type != .choice, let values = mapping["values"] { throw values.error("only choice parameters have values") }
        var parameter = TransformParameter(
            name: name,
            kind: kind,
            summary: try mapping["description"]?.string() ?? ""
        )
        if let value = mapping["default"] {
            let text = try value.string()
            guard let defaultValue = parameter.value(parsing: text) else {
                throw value.error("expected \(parameter.allowedValues), got \"\(text)\"")
            }
            parameter.defaultValue = defaultValue
        }
        return parameter
    }

    private static func number(_ node: ConfigurationNode) throws(ConfigurationError) -> Double {
        let text = try node.text(expected: "a number")
        guard let value = Double(text.filter { $0 != "_" }), value.isFinite else {
            throw node.error("expected a number, got \"\(text)\"")
        }
        return value
    }
}
