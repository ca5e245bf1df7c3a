/// The canonical forms SigV4 signs, by S3's rules.
///
/// S3 differs from the other AWS services in two ways: the path is neither normalised (`//`, `.`, `..` stay) nor
/// encoded twice. The canonical URI is the URI-encoding of the decoded path, so `/test$file.text` and
/// `/test%24file.text` both sign as `/test%24file.text`.
package enum SigV4Canonical {
    /// The canonical request: method, URI, query, header block, signed header names and payload hash.
    static func request(
        method: String,
        rawPath: String,
        canonicalQuery: String,
        headers: [(name: String, value: String)],
        signedHeaders: [String],
        payloadHash: String
    ) -> String {
        [
            method.uppercased(), uri(rawPath: rawPath), canonicalQuery,
            self.headers(headers, signedHeaders: signedHeaders), signedHeaders.joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
    }

    /// The canonical URI of a path as sent on the wire (percent-encoded, without its query).
    static func uri(rawPath: String) -> String {
        let path = rawPath.isEmpty ? "/" : rawPath
        return encode(decode(path.utf8), keepingSlash: true)
    }

    /// The canonical query: every parameter decoded, re-encoded, sorted by name then value; `excluded` left out.
    static func query(rawQuery: String, excluding excluded: String? = nil) -> String {
        let excludedBytes = excluded.map { Array($0.utf8) }
        let pairs = decodedParameters(rawQuery: rawQuery)
            .filter { $0.name != excludedBytes }
            .map { (name: encode($0.name, keepingSlash: false), value: encode($0.value, keepingSlash: false)) }
            .sorted { lhs, rhs in
                lhs.name == rhs.name
                    ? lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
                    : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
            }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// The query's parameters, decoded, in the order sent; a parameter without `=` has an empty value.
    static func parameters(rawQuery: String) -> [(name: String, value: String)] {
        decodedParameters(rawQuery: rawQuery).map {
            (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
        }
    }

    // Bytes rather than strings: a value such as `%FF` is not UTF-8 and must re-encode to itself.
    private static func decodedParameters(rawQuery: String) -> [(name: [UInt8], value: [UInt8])] {
        rawQuery.utf8.split(separator: UInt8(ascii: "&")).map { component in
            guard let equals = component.firstIndex(of: UInt8(ascii: "=")) else {
                return (decode(component), [])
            }
            return (decode(component[..<equals]), decode(component[component.index(after: equals)...]))
        }
    }

    /// The canonical header block, one `name:value\n` line per signed header, in the order `signedHeaders` gives.
    ///
    /// Headers sent more than once have their values joined with commas in the order received. `host` may also be
    /// given as HTTP/2's `:authority`, which is how `swift-http-types` carries it.
    static func headers(_ headers: [(name: String, value: String)], signedHeaders: [String]) -> String {
        var valuesByName: [String: [String]] = [:]
        for (name, value) in headers {
            let lowercased = name.lowercased()
            valuesByName[lowercased == ":authority" ? "host" : lowercased, default: []].append(value)
        }
        var block = ""
        for name in signedHeaders {
            let values = valuesByName[name, default: []].map(headerValue)
            block += "\(name):\(values.joined(separator: ","))\n"
        }
        return block
    }

    /// A header value with its surrounding whitespace trimmed and inner runs of whitespace collapsed to one space.
    static func headerValue(_ value: String) -> String {
        value.utf8
            .split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            .map { String(decoding: $0, as: UTF8.self) }
            .joined(separator: " ")
    }

    /// Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~` (and `/` when `keepingSlash`), as `%XX` uppercase.
    package static func encode(_ bytes: some Sequence<UInt8>, keepingSlash: Bool) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in bytes {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                encoded.append(byte)
            } else {
                encoded.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// Decodes `%XX` escapes; `+` stays a plus (RFC 3986), and a `%` not followed by two hex digits stays itself.
    static func decode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(input[index])
                index += 1
            }
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
