import CMagickWand

/// An exception ImageMagick raised, as its severity and reason.
struct MagickFailure: Error, Sendable {
    /// ImageMagick's `ExceptionType`: warnings from 300, errors from 400, fatal errors from 700.
    let severity: UInt32
    /// The reason, without ImageMagick's file name and source location (`` `x' @ error/png.c/ReadPNGImage/4110``).
    let reason: String

    init(severity: ExceptionType, reason: String) {
        self.severity = severity.rawValue
        var text = reason.prefix { $0 != "`" }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        self.reason = String(text)
    }

    /// Whether the exception is only a warning: the image was read.
    var isWarning: Bool { severity < ErrorException.rawValue }

    /// Whether the library ran out of memory, map or disk budget (not the image's fault).
    var isResourceExhaustion: Bool {
        let kind = severity % 100
        return kind == ResourceLimitError.rawValue % 100 || kind == CacheError.rawValue % 100
    }

    /// Whether the warning says the data stopped before the image did: a truncated file, whose missing part
    /// decoders paint grey. Other corruption warnings (stray bytes between JPEG markers, say, which cameras write)
    /// leave a whole picture and are accepted.
    var isTruncation: Bool {
        let reason = reason.lowercased()
        return ["premature end", "unexpected end", "truncated", "insufficient image data"].contains {
            reason.contains($0)
        }
    }
}
