/// `security.signing`: the HMAC keys of signed suffix URLs (`?exp=...&sig=...`).
public struct SigningConfiguration: Sendable, Equatable {
    /// `keys`: every key verifies a signature (so keys can be rotated); the first one signs. Written as hex
    /// (`a string of hex digits`) or else base64 / base64url, and kept as the decoded bytes.
    public var keys: [[UInt8]]
    /// `required`: every transformed GET needs a valid signature.
    public var required: Bool

    public init(keys: [[UInt8]] = [], required: Bool = false) {
        self.keys = keys
        self.required = required
    }

    /// The bytes of a key: hex when `text` is an even number of hex digits, else base64 or base64url (padding
    /// optional); nil when it is neither, or empty.
    static func decodeKey(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        if utf8.count.isMultiple(of: 2), utf8.allSatisfy({ hexValue($0) != nil }) {
            return stride(from: 0, to: utf8.count, by: 2).map { hexValue(utf8[$0])! << 4 | hexValue(utf8[$0 + 1])! }
        }
        return base64Decode(utf8)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Standard and URL-safe base64 alike, with or without `=` padding.
    private static func base64Decode(_ text: [UInt8]) -> [UInt8]? {
        var characters = text[...]
        while characters.last == UInt8(ascii: "=") { characters = characters.dropLast() }
        guard text.count - characters.count <= 2, characters.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return bytes.isEmpty ? nil : bytes
    }
}

extension SigningConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["keys", "required"])
        self.init()
        if let value = mapping["keys"] {
            let elements = value.isSequence ? try value.list() : [value]
            for element in elements {
                let text = try element.string()
                guard let key = Self.decodeKey(text) else {
                    // The text is a secret: the message does not repeat it.
                    throw element.error("expected a key written as hex digits or base64")
                }
                keys.append(key)
            }
        }
        if let value = mapping["required"] { required = try value.boolean() }
        if required, keys.isEmpty {
            throw mapping.missing("keys", "when signing.required is true")
        }
    }
}
