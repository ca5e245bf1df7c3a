/// The parts of an object key that output key templates use.
///
/// For `uploads/2024/a.b.jpg`: `dir` = `uploads/2024/`, `name` = `a.b.jpg`, `stem` = `a.b`, `ext` = `.jpg`.
/// `dir` ends with `/` (or is empty), `dir + name` is the key and `stem + ext` is the name. The extension starts at
/// the last `.` of the name that follows some other character: leading dots belong to the stem, so `.env` has the
/// stem `.env` and no extension, as in Python's `os.path.splitext`; a name without a dot has no extension.
struct KeyComponents: Sendable, Equatable {
    var key: String
    var dir: String
    var name: String
    var stem: String
    var ext: String

    init(key: String) {
        self.key = key
        let nameStart = key.lastIndex(of: "/").map { key.index(after: $0) } ?? key.startIndex
        dir = String(key[..<nameStart])
        name = String(key[nameStart...])
        let leadingDots = name.prefix { $0 == "." }
        let afterLeadingDots = name[leadingDots.endIndex...]
        if let dot = afterLeadingDots.lastIndex(of: ".") {
            stem = String(name[..<dot])
            ext = String(name[dot...])
        } else {
            stem = name
            ext = ""
        }
    }
}
