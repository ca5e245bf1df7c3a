import RefractCore

/// The character encodings `translate` reads, named by the source's `charset`; the output is always UTF-8.
enum SourceEncoding: Sendable, Equatable {
    case utf8
    /// Windows-1252, which also stands for ISO-8859-1 and US-ASCII as the WHATWG Encoding Standard (and every
    /// browser) has it: text labelled Latin-1 is, in practice, Windows-1252 text.
    case windows1252
    /// UTF-16 of the byte order its byte order mark gives, big-endian without one (RFC 2781).
    case utf16
    case utf16BigEndian
    case utf16LittleEndian

    /// The encoding a `charset` names; no charset means UTF-8. An unknown charset is `UnprocessableSource`.
    init(charset: String?) throws(RefractError) {
        switch charset {
        case nil, "utf-8", "utf8", "unicode-1-1-utf-8":
            self = .utf8
        case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987",
            "latin1", "l1", "cp819", "ibm819", "iso-ir-100", "csisolatin1", "us-ascii", "ascii", "ansi_x3.4-1968",
            "us", "csascii":
            self = .windows1252
        case "utf-16", "utf16":
            self = .utf16
        case "utf-16be", "utf16be":
            self = .utf16BigEndian
        case "utf-16le", "utf16le":
            self = .utf16LittleEndian
        case let other?:
            throw RefractError.unprocessableSource(
                "translate cannot read text in charset \(other.quotedForMessage()); it reads UTF-8, UTF-16, "
                    + "ISO-8859-1, Windows-1252 and US-ASCII."
            )
        }
    }
}
