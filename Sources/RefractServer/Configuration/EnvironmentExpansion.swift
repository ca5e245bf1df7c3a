/// Expands environment variables in configuration text: `${NAME}`, and `${NAME:-fallback}` which gives
/// `fallback` when `NAME` is unset or empty. `$${` writes a literal `${`; any other `$` is kept as written,
/// so secrets containing `$` need no escaping.
enum EnvironmentExpansion {
    /// Why a text could not be expanded, phrased for a configuration message.
    struct Failure: Error, Equatable {
        let problem: String
    }

    static func expand(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.hasPrefix("${") {
                result += "${"
                rest = afterDollar.dropFirst(2)
            } else if afterDollar.hasPrefix("{") {
                let body = afterDollar.dropFirst()
                guard let close = body.firstIndex(of: "}") else {
                    // The text may be a secret: the message does not repeat it.
                    throw Failure(problem: "\"${\" without a closing \"}\"")
                }
                result += try substitute(String(body[..<close]), environment: environment)
                rest = body[body.index(after: close)...]
            } else {
                result += "$"
                rest = afterDollar
            }
        }
        return result + rest
    }

    private static func substitute(_ reference: String, environment: [String: String]) throws(Failure) -> String {
        let name: String
        let fallback: String?
        if let separator = reference.firstRange(of: ":-") {
            name = String(reference[..<separator.lowerBound])
            fallback = String(reference[separator.upperBound...])
        } else {
            name = reference
            fallback = nil
        }
        guard isVariableName(name) else {
            throw Failure(
                problem: "\"${\(reference)}\" is not a variable reference such as ${NAME} or ${NAME:-default}")
        }
        if let value = environment[name], !(value.isEmpty && fallback != nil) {
            return value
        }
        guard let fallback else {
            throw Failure(
                problem: "environment variable \(name) is not set (write ${\(name):-default} to give a default)"
            )
        }
        return fallback
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetterOrDigit || $0 == "_" }
    }
}
