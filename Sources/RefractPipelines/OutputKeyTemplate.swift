/// The key of a pipeline output, made from its source's key: `resized/480/{key}`, `{dir}{stem}.webp`.
///
/// The variables are those of ``KeyComponents``: `{key}`, `{dir}`, `{name}`, `{stem}` and `{ext}`. Anything else,
/// a `{` without its `}` or a `{word}` that names no variable, is literal text (the configuration refuses unknown
/// variables before a template is made).
public struct OutputKeyTemplate: Sendable, Hashable, CustomStringConvertible {
    /// A template variable.
    enum Variable: String, Sendable, CaseIterable {
        case key
        case dir
        case name
        case stem
        case ext
    }

    enum Part: Sendable, Hashable {
        case literal([UInt8])
        case variable(Variable)
    }

    /// The template as written.
    public let description: String
    let parts: [Part]

    public init(_ template: String) {
        description = template
        parts = Self.parse(template)
    }

    /// The output key for the source `key`.
    public func expand(key: String) -> String {
        let components = KeyComponents(key: key)
        var bytes: [UInt8] = []
        for part in parts {
            switch part {
            case .literal(let literal): bytes += literal
            case .variable(.key): bytes += components.key.utf8
            case .variable(.dir): bytes += components.dir.utf8
            case .variable(.name): bytes += components.name.utf8
            case .variable(.stem): bytes += components.stem.utf8
            case .variable(.ext): bytes += components.ext.utf8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the template gives every key itself (`{key}`, `{dir}{name}`, `{dir}{stem}{ext}`): its outputs
    /// replace their sources.
    ///
    /// Such a template matches every key, so ``couldProduce(_:)`` says nothing for it; what keeps its outputs from
    /// running the pipeline again is the `refract-source` metadata they carry.
    public var isIdentity: Bool {
        let variables = parts.map { part -> Variable? in
            if case .variable(let variable) = part { return variable }
            return nil
        }
        return variables == [.key] || variables == [.dir, .name] || variables == [.dir, .stem, .ext]
    }

    /// Whether some source key expands to `key`: a key that could be an output of this template.
    ///
    /// Each variable is matched by what it can hold, independently of the others: `{key}` any non-empty text,
    /// `{dir}` nothing or text ending with `/`, `{name}` and `{stem}` text without `/`, `{ext}` nothing or `.` and
    /// text without `.` or `/`. That may answer yes for a key no source gives (`{dir}x/{name}` and `a/x/b`), never no
    /// for one a source gives: the right side to err on when the answer keeps outputs from triggering pipelines.
    public func couldProduce(_ key: String) -> Bool {
        Self.matches(parts[...], Array(key.utf8)[...])
    }

    private static func matches(_ parts: ArraySlice<Part>, _ key: ArraySlice<UInt8>) -> Bool {
        guard let part = parts.first else { return key.isEmpty }
        let rest = parts.dropFirst()
        switch part {
        case .literal(let literal):
            guard key.starts(with: literal) else { return false }
            return matches(rest, key.dropFirst(literal.count))
        case .variable(let variable):
            // Every length the variable could take, each checked against the rest of the template.
            for length in 0...key.count {
                let value = key.prefix(length)
                if variable.canHold(value), matches(rest, key.dropFirst(length)) { return true }
            }
            return false
        }
    }

    private static func parse(_ template: String) -> [Part] {
        var parts: [Part] = []
        var literal: [UInt8] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open].utf8
            let afterOpen = rest[rest.index(after: open)...]
            if let close = afterOpen.firstIndex(of: "}"), let variable = Variable(rawValue: String(afterOpen[..<close]))
            {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = []
                parts.append(.variable(variable))
                rest = afterOpen[afterOpen.index(after: close)...]
            } else {
                literal.append(UInt8(ascii: "{"))
                rest = afterOpen
            }
        }
        literal += rest.utf8
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }
}

extension OutputKeyTemplate.Variable {
    /// Whether some key gives this variable the value `bytes`.
    func canHold(_ bytes: ArraySlice<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        switch self {
        case .key: return !bytes.isEmpty
        case .dir: return bytes.isEmpty || bytes.last == slash
        case .name, .stem: return !bytes.contains(slash)
        case .ext:
            return bytes.isEmpty || (bytes.first == dot && !bytes.dropFirst().contains { $0 == dot || $0 == slash })
        }
    }
}
