import Foundation
import RefractCore

/// A parsed XML element: enough of XML for the documents of the S3 API (CompleteMultipartUpload and Delete
/// bodies, a store's listings and errors), which are flat and free of mixed content.
package struct XMLElement: Equatable {
    package var name: String
    package var text: String
    package var children: [XMLElement]

    /// The children named `name`, namespace prefixes ignored.
    package func children(named name: String) -> [XMLElement] {
        children.filter { $0.localName == name }
    }

    /// The text of the first child named `name`.
    package func childText(_ name: String) -> String? {
        children(named: name).first?.text
    }

    private var localName: Substring {
        name.split(separator: ":").last ?? Substring(name)
    }

    /// Parses a whole document; anything that is not well-formed is `MalformedXML`.
    package static func parse(_ document: String) throws(RefractError) -> XMLElement {
        var parser = Parser(scalars: Array(document.unicodeScalars))
        parser.skipProlog()
        guard let root = parser.element() else { throw RefractError.malformedXML() }
        parser.skipMisc()
        guard parser.isAtEnd else { throw RefractError.malformedXML() }
        return root
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        var isAtEnd: Bool { position >= scalars.count }

        mutating func skipProlog() {
            skipMisc()
        }

        /// Skips white space, `<?...?>` declarations and `<!-- -->` comments.
        mutating func skipMisc() {
            while !isAtEnd {
                if scalars[position].properties.isWhitespace {
                    position += 1
                } else if starts(with: "<?") {
                    skip(past: "?>")
                } else if starts(with: "<!--") {
                    skip(past: "-->")
                } else {
                    return
                }
            }
        }

        mutating func element() -> XMLElement? {
            guard consume("<") else { return nil }
            let name = takeName()
            guard !name.isEmpty else { return nil }
            // Attributes (xmlns) carry nothing these documents need.
            while !isAtEnd, scalars[position] != ">", !starts(with: "/>") { position += 1 }
            if consume("/>") { return XMLElement(name: name, text: "", children: []) }
            guard consume(">") else { return nil }
            var text = ""
            var children: [XMLElement] = []
            while !isAtEnd {
                if starts(with: "</") {
                    position += 2
                    guard takeName() == name else { return nil }
                    skipWhitespace()
                    guard consume(">") else { return nil }
                    let trimmed = children.isEmpty ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
                    return XMLElement(name: name, text: trimmed, children: children)
                } else if starts(with: "<!--") {
                    skip(past: "-->")
                } else if starts(with: "<![CDATA[") {
                    position += 9
                    while !isAtEnd, !starts(with: "]]>") {
                        text.unicodeScalars.append(scalars[position])
                        position += 1
                    }
                    guard consume("]]>") else { return nil }
                } else if scalars[position] == "<" {
                    guard let child = element() else { return nil }
                    children.append(child)
                } else if scalars[position] == "&" {
                    guard let scalar = entity() else { return nil }
                    text.unicodeScalars.append(scalar)
                } else {
                    text.unicodeScalars.append(scalars[position])
                    position += 1
                }
            }
            return nil
        }

        private mutating func entity() -> Unicode.Scalar? {
            guard let end = scalars[position...].firstIndex(of: ";"), end - position <= 10 else { return nil }
            let name = String(String.UnicodeScalarView(scalars[(position + 1)..<end]))
            position = end + 1
            switch name {
            case "amp": return "&"
            case "lt": return "<"
            case "gt": return ">"
            case "quot": return "\""
            case "apos": return "'"
            default:
                let code: UInt32? =
                    if name.hasPrefix("#x") {
                        UInt32(name.dropFirst(2), radix: 16)
                    } else if name.hasPrefix("#") {
                        UInt32(name.dropFirst())
                    } else {
                        nil
                    }
                return code.flatMap(Unicode.Scalar.init)
            }
        }

        private mutating func takeName() -> String {
            var name = ""
            while !isAtEnd {
                let scalar = scalars[position]
                guard
                    scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || ":-_.".unicodeScalars.contains(scalar)
                else { break }
                name.unicodeScalars.append(scalar)
                position += 1
            }
            return name
        }

        private mutating func skipWhitespace() {
            while !isAtEnd, scalars[position].properties.isWhitespace { position += 1 }
        }

        private func starts(with prefix: String) -> Bool {
            var index = position
            for scalar in prefix.unicodeScalars {
                guard index < scalars.count, scalars[index] == scalar else { return false }
                index += 1
            }
            return true
        }

        private mutating func consume(_ prefix: String) -> Bool {
            guard starts(with: prefix) else { return false }
            position += prefix.unicodeScalars.count
            return true
        }

        private mutating func skip(past terminator: String) {
            while !isAtEnd, !starts(with: terminator) { position += 1 }
            _ = consume(terminator)
        }
    }
}
