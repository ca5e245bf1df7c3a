/// Where a picture was taken, in signed decimal degrees, as exiftool's Composite GPS tags compute it.
public struct ExifGPSPosition: Sendable, Hashable {
    /// Degrees north, negative south; nil without both GPSLatitude and GPSLatitudeRef.
    public var latitude: Double?
    /// Degrees east, negative west; nil without both GPSLongitude and GPSLongitudeRef.
    public var longitude: Double?
    /// Metres above sea level, negative below; nil without both GPSAltitude and GPSAltitudeRef.
    public var altitude: Double?

    public init(latitude: Double?, longitude: Double?, altitude: Double?) {
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
    }

    /// The position the GPS directory's tags give, nil when they give none.
    init?(_ directory: ExifDirectory) {
        func signed(_ valueTag: String, _ referenceTag: String, negativeReference: Character) -> Double? {
            guard let value = directory[valueTag]?.doubleValue, let reference = directory[referenceTag] else {
                return nil
            }
            let isNegative = reference.displayText.first.map { $0.uppercased() == String(negativeReference) } ?? false
            return isNegative ? -value : value
        }
        latitude = signed("GPSLatitude", "GPSLatitudeRef", negativeReference: "S")
        longitude = signed("GPSLongitude", "GPSLongitudeRef", negativeReference: "W")
        if let value = directory["GPSAltitude"]?.doubleValue, let reference = directory["GPSAltitudeRef"] {
            // Perl truth: a reference of "" or "0" is above sea level, anything else below.
            let isBelow = !["", "0"].contains(reference.displayText)
            altitude = isBelow ? -abs(value) : value
        }
        if latitude == nil && longitude == nil && altitude == nil { return nil }
    }
}
