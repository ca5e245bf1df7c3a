/// The EXIF metadata of an image and what its header says, as the `exif` transform reports it.
public struct ExifData: Sendable, Hashable {
    public var header: ExifImageHeader
    /// The directories read, in ``ExifDirectory/Name`` order; empty directories are left out.
    public var directories: [ExifDirectory]

    public init(header: ExifImageHeader, directories: [ExifDirectory]) {
        self.header = header
        self.directories = directories
    }

    public subscript(directory: ExifDirectory.Name) -> ExifDirectory? {
        directories.first { $0.name == directory }
    }

    /// The position the GPS directory gives, in signed decimal degrees.
    public var gpsPosition: ExifGPSPosition? {
        self[.gps].flatMap(ExifGPSPosition.init)
    }

    /// The same data without any GPS information.
    public var withoutGPS: ExifData {
        ExifData(header: header, directories: directories.filter { $0.name != .gps })
    }
}
