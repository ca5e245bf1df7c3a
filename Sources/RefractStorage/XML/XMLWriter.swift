/// Writes the small XML documents of the S3 API, escaping text as it goes.
package struct XMLWriter {
    package private(set) var text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"

    package init() {}

    /// Writes `<name>` ... `</name>` around what `content` writes; the root element carries S3's namespace.
    package mutating func element(_ name: String, namespace: Bool = false, _ content: (inout XMLWriter) -> Void) {
        text += namespace ? #"<\#(name) xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"# : "<\(name)>"
        content(&self)
        text += "</\(name)>"
    }

    /// Writes `<name>value</name>`.
    package mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    package mutating func element(_ name: String, _ value: Int) {
        element(name, String(value))
    }

    package mutating func element(_ name: String, _ value: Bool) {
        element(name, value ? "true" : "false")
    }

    package static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\r": escaped += "&#13;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
