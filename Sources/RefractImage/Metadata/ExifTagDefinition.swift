/// What exiftool's tag tables say about one tag: its name and how its value is read and converted.
struct ExifTagDefinition: Sendable {
    /// exiftool's tag name.
    let name: String
    /// The conversion exiftool's `RawConv`/`ValueConv` applies (with `-n` no print conversion runs).
    let conversion: ExifValueConversion
    /// The type exiftool reads the value as, whatever type the file declares (`Format` in its tables).
    let readType: TIFFFieldType?
    /// Whether the values are offsets, which exiftool reports from the start of the file.
    let isOffset: Bool

    init(
        _ name: String,
        _ conversion: ExifValueConversion = .none,
        format readType: TIFFFieldType? = nil,
        isOffset: Bool = false
    ) {
        self.name = name
        self.conversion = conversion
        self.readType = readType
        self.isOffset = isOffset
    }
}

/// The value conversions of exiftool's EXIF and GPS tables that change what `-n` prints.
enum ExifValueConversion: Sendable, Equatable {
    case none
    /// `s/\s+$//` (Make, Model, Software, Artist).
    case trimTrailingWhitespace
    /// `s/\0+$//` (ExifVersion, FlashpixVersion, InteropVersion).
    case trimTrailingNulls
    /// `s/ +$//` (SubSecTime tags).
    case trimTrailingSpaces
    /// EXIF text with its 8-byte character code (UserComment, GPSProcessingMethod, GPSAreaInformation).
    case exifText
    /// UCS-2 little-endian text (the Windows XP tags).
    case ucs2LittleEndian
    /// APEX shutter speed to seconds: `2 ** -value`.
    case apexShutterSpeed
    /// APEX aperture to an f-number: `2 ** (value / 2)`.
    case apexAperture
    /// Degrees, minutes and seconds to decimal degrees (GPS coordinates, unsigned).
    case degrees
    /// Hours, minutes and seconds to `HH:MM:SS`.
    case gpsTimeStamp
    /// A date with any separators to `YYYY:MM:DD`.
    case gpsDateStamp
    /// Photographer and editor copyright separated by NUL, to lines.
    case copyright
    /// The CFA pattern's dimensions and colours as numbers.
    case cfaPattern
    /// Data exiftool only measures.
    case binary
    /// Data exiftool prints when its text is at most this long, and measures otherwise.
    case binaryIfLonger(than: Int)
}
