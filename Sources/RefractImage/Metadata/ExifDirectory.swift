/// One image file directory of EXIF data, named as exiftool's family-1 groups name them.
public struct ExifDirectory: Sendable, Hashable {
    /// The directories the reader follows, in the order they are reported.
    public enum Name: String, Sendable, Hashable, CaseIterable {
        case ifd0 = "IFD0"
        case exifIFD = "ExifIFD"
        case gps = "GPS"
        case interopIFD = "InteropIFD"
        /// The thumbnail's directory, linked from IFD0.
        case ifd1 = "IFD1"
    }

    public var name: Name
    /// The tags in the order the directory lists them; a tag name appears once, with the value of its last entry (as
    /// in exiftool's JSON).
    public var tags: [ExifTag]

    public init(name: Name, tags: [ExifTag]) {
        self.name = name
        self.tags = tags
    }

    /// The value of the tag named `tagName` (exiftool's name).
    public subscript(tagName: String) -> ExifValue? {
        tags.first { $0.name == tagName }?.value
    }
}

/// One tag of a directory.
public struct ExifTag: Sendable, Hashable {
    /// The tag number (ThumbnailImage, which exiftool derives from ThumbnailOffset and ThumbnailLength, carries
    /// ThumbnailOffset's).
    public var id: UInt16
    /// exiftool's name for the tag, or `Tag0xNNNN` (lower-case hex) for a tag exiftool's tables do not know here.
    public var name: String
    public var value: ExifValue

    public init(id: UInt16, name: String, value: ExifValue) {
        self.id = id
        self.name = name
        self.value = value
    }
}
