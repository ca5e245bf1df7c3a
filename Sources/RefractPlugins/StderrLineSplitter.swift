/// Cuts a plugin's standard error into lines as it arrives (LF or CRLF), blank lines left out.
///
/// A line keeps its first ``maxLineBytes`` bytes and the rest is dropped as it comes, so a plugin writing without
/// newlines costs bounded memory.
struct StderrLineSplitter {
    static let maxLineBytes = 4096

    private var line: [UInt8] = []

    /// The lines that `bytes` complete.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let completed = takeLine() {
                    lines.append(completed)
                }
            } else if line.count < Self.maxLineBytes {
                line.append(byte)
            }
        }
        return lines
    }

    /// The last line, when the output ended without a newline.
    mutating func finish() -> String? {
        takeLine()
    }

    private mutating func takeLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.last == UInt8(ascii: "\r") {
            line.removeLast()
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }
}
