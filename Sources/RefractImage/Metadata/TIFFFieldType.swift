/// The type of a TIFF field (TIFF 6.0 §2, plus IFD from TIFF Technical Note 1).
enum TIFFFieldType: UInt16, Sendable {
    case byte = 1
    case ascii = 2
    case short = 3
    case long = 4
    case rational = 5
    case signedByte = 6
    case undefined = 7
    case signedShort = 8
    case signedLong = 9
    case signedRational = 10
    case float = 11
    case double = 12
    case ifd = 13

    /// The bytes one value takes.
    var size: Int {
        switch self {
        case .byte, .ascii, .signedByte, .undefined: 1
        case .short, .signedShort: 2
        case .long, .signedLong, .float, .ifd: 4
        case .rational, .signedRational, .double: 8
        }
    }

    /// Whether values are numbers that exiftool lists one by one (not a string or a blob).
    var isNumeric: Bool { self != .ascii && self != .undefined }

    /// Whether values are integers, as a directory offset must be.
    var isInteger: Bool {
        switch self {
        case .byte, .short, .long, .signedByte, .signedShort, .signedLong, .ifd: true
        default: false
        }
    }

    /// exiftool's name of the type, as its "large array" placeholder says it.
    var exiftoolName: String {
        switch self {
        case .byte: "int8u"
        case .ascii: "string"
        case .short: "int16u"
        case .long: "int32u"
        case .rational: "rational64u"
        case .signedByte: "int8s"
        case .undefined: "undef"
        case .signedShort: "int16s"
        case .signedLong: "int32s"
        case .signedRational: "rational64s"
        case .float: "float"
        case .double: "double"
        case .ifd: "ifd"
        }
    }
}
