import Foundation
import RefractImage
import Testing

/// Compares what ``ExifReader`` reads from a file with what `exiftool -json -n -G1` reports for it, tag by tag.
enum ExiftoolComparison {
    static let groups = ExifDirectory.Name.allCases.map(\.rawValue)

    /// Reads `file` with ``ExifReader`` and expects every IFD0/ExifIFD/GPS/InteropIFD/IFD1 tag exiftool reports with
    /// an equal value, no named tag exiftool does not report, the size exiftool reports, and the Composite GPS
    /// position; returns the data read and exiftool's values.
    @discardableResult
    static func expectMatch(
        _ file: URL,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (data: ExifData, exiftool: [String: Any]) {
        let bytes = [UInt8](try Data(contentsOf: file))
        let data = try ExifReader.read(bytes)
        let theirs = try await MetadataTool.exiftoolValues(of: file)
        let ours = try #require(
            try JSONSerialization.jsonObject(with: Data(data.json().utf8)) as? [String: Any],
            sourceLocation: sourceLocation)
        let exif = try #require(ours["exif"] as? [String: [String: Any]], sourceLocation: sourceLocation)
        var compared = 0
        for (key, theirValue) in theirs {
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, groups.contains(parts[0]) else { continue }
            let ourValue = exif[parts[0]]?[parts[1]]
            #expect(
                ourValue.map { jsonEqual($0, theirValue) } == true,
                "\(file.lastPathComponent) \(key): Refract \(String(describing: ourValue)), exiftool \(theirValue)",
                sourceLocation: sourceLocation)
            compared += 1
        }
        for (group, tags) in exif {
            for name in tags.keys where !name.hasPrefix("Tag0x") {
                #expect(
                    theirs["\(group):\(name)"] != nil, "\(file.lastPathComponent) \(group):\(name) not in exiftool's",
                    sourceLocation: sourceLocation)
            }
        }
        let size = try #require(theirs["Composite:ImageSize"] as? String, sourceLocation: sourceLocation)
        #expect(
            "\(ours["width"] ?? "nil") \(ours["height"] ?? "nil")" == size, "\(file.lastPathComponent) size",
            sourceLocation: sourceLocation)
        let gps = ours["gps"] as? [String: Any]
        for (member, composite) in [
            ("latitude", "Composite:GPSLatitude"), ("longitude", "Composite:GPSLongitude"),
            ("altitude", "Composite:GPSAltitude"),
        ] {
            let ourValue = gps?[member].flatMap { $0 is NSNull ? nil : $0 }
            switch (ourValue, theirs[composite]) {
            case (nil, nil):
                break
            case (let ourValue?, let theirValue?):
                #expect(
                    jsonEqual(ourValue, theirValue), "\(file.lastPathComponent) gps.\(member)",
                    sourceLocation: sourceLocation)
            default:
                let theirValue = String(describing: theirs[composite])
                Issue.record(
                    "\(file.lastPathComponent) gps.\(member): Refract \(String(describing: ourValue)), exiftool \(theirValue)",
                    sourceLocation: sourceLocation)
            }
        }
        #expect(compared > 0, "\(file.lastPathComponent): exiftool reported no EXIF", sourceLocation: sourceLocation)
        return (data, theirs)
    }

    /// Whether two values parsed from JSON are the same JSON value: both strings and equal, or both numbers and equal.
    static func jsonEqual(_ first: Any, _ second: Any) -> Bool {
        if let first = first as? String, let second = second as? String { return first == second }
        if first is String || second is String { return false }
        guard let first = first as? NSNumber, let second = second as? NSNumber else { return false }
        return first.doubleValue == second.doubleValue
    }
}
