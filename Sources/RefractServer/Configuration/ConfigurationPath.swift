/// The path of a value in the configuration document, written as in messages: `stores.main.endpoint`,
/// `security.users[1].allow[0]`, `buckets["my.bucket"].store`.
struct ConfigurationPath: Sendable, Equatable, CustomStringConvertible {
    private enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    private var components: [Component] = []

    /// The document itself.
    static let root = ConfigurationPath()

    func appending(key: String) -> ConfigurationPath {
        var path = self
        path.components.append(.key(key))
        return path
    }

    func appending(index: Int) -> ConfigurationPath {
        var path = self
        path.components.append(.index(index))
        return path
    }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where Self.isPlain(key):
                text += text.isEmpty ? key : ".\(key)"
            case .key(let key):
                text += "[\"\(key)\"]"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Whether a key reads unambiguously between dots; other keys (`my.bucket`) are written in brackets.
    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCIILetterOrDigit || $0 == "_" || $0 == "-" }
    }
}
