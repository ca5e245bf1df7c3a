/// A part of a text on its way through `translate`: kept exactly as it is, or sent to the service.
enum TextPiece: Equatable {
    /// Bytes written to the output untouched: whitespace between segments, code, markup.
    case verbatim([UInt8])
    /// Text to translate: never empty, without leading or trailing whitespace, holding a letter, and no longer
    /// as a JSON string than one request allows.
    case translatable(String)
}
