import RefractCore
import Yams

extension ConfigurationNode {
    /// The value as compact JSON text, mapping order kept: plain scalars are typed as YAML types them
    /// (`3` a number, `true` a boolean, `~` null), quoted scalars are strings. `${VAR}` is expanded first.
    func json() throws(ConfigurationError) -> String {
        var output = ""
        try writeJSON(to: &output)
        return output
    }

    private func writeJSON(to output: inout String) throws(ConfigurationError) {
        switch node {
        case .scalar(let scalar):
            try writeJSON(scalar, to: &output)
        case .sequence:
            output += "["
            for (index, element) in try list().enumerated() {
                if index > 0 { output += "," }
                try element.writeJSON(to: &output)
            }
            output += "]"
        case .mapping:
            output += "{"
            for (index, entry) in try mapping().entries.enumerated() {
                if index > 0 { output += "," }
                output += entry.key.jsonQuoted
                output += ":"
                try entry.value.writeJSON(to: &output)
            }
            output += "}"
        case .alias:
            throw error("expected a JSON value, got an alias")
        }
    }

    private func writeJSON(_ scalar: Node.Scalar, to output: inout String) throws(ConfigurationError) {
        let text = try string()
        guard scalar.style == .plain else {
            output += text.jsonQuoted
            return
        }
        let typed = Node.Scalar(text, Tag(.implicit), .plain)
        switch Resolver.default.resolveTag(of: .scalar(typed)) {
        case .null:
            output += "null"
        case .bool:
            output += (Bool.construct(from: typed) ?? false) ? "true" : "false"
        case .int:
            guard let integer = Int.construct(from: typed) else { throw error("integer out of range: \(text)") }
            output += String(integer)
        case .float:
            guard let number = Double.construct(from: typed), number.isFinite else {
                throw error("JSON has no number \(text); quote it to pass a string")
            }
            output += String(number)
        default:
            output += text.jsonQuoted
        }
    }
}
