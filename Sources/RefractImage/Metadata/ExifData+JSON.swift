extension ExifData {
    /// The `exif` transform's JSON (SPEC §2): `format`, `width`, `height`, `exif` with one object per directory
    /// (`IFD0`, `ExifIFD`, `GPS`, `InteropIFD`, `IFD1`) holding values as `exiftool -json -n` prints them, and `gps`
    /// in signed decimal degrees (null when the image has no position).
    ///
    /// `includingGPS: false` leaves out the GPS directory and the `gps` member.
    public func json(includingGPS: Bool = true) -> String {
        var writer = ExifJSONWriter()
        writer.object { writer in
            writer.key("format")
            writer.string(header.format.rawValue)
            writer.key("width")
            if let width = header.width { writer.number(String(width)) } else { writer.null() }
            writer.key("height")
            if let height = header.height { writer.number(String(height)) } else { writer.null() }
            writer.key("exif")
            writer.object { writer in
                for directory in directories where includingGPS || directory.name != .gps {
                    writer.key(directory.name.rawValue)
                    writer.object { writer in
                        for tag in directory.tags {
                            writer.key(tag.name)
                            switch tag.value {
                            case .number(let text): writer.number(text)
                            case .text, .binary: writer.string(tag.value.displayText)
                            }
                        }
                    }
                }
            }
            guard includingGPS else { return }
            writer.key("gps")
            guard let position = gpsPosition else { return writer.null() }
            writer.object { writer in
                for (name, value) in [
                    ("latitude", position.latitude), ("longitude", position.longitude), ("altitude", position.altitude),
                ] {
                    writer.key(name)
                    if let value, value.isFinite { writer.number(ExiftoolText.number(value)) } else { writer.null() }
                }
            }
        }
        return writer.output
    }
}
