import Foundation

/// An image as ImageMagick's tools see it: format, frames and 8-bit RGBA pixels of the first frame.
struct DecodedImage: CustomStringConvertible {
    let format: String
    let width: Int
    let height: Int
    let frameCount: Int
    /// `identify`'s colorspace (`sRGB`, `Gray`).
    let colorspace: String
    private let rgba: [UInt8]

    /// Decodes `data` with `identify` and `convert`, through a temporary file.
    init(_ data: Data) async throws {
        let path = try TemporaryDirectory.writeScratchFile(data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let identified = try await Tools.run("/usr/bin/identify", ["-format", "%m %w %h %[colorspace]\n", path])
        let frames = String(decoding: identified, as: UTF8.self).split(separator: "\n")
        guard let first = frames.first?.split(separator: " "), first.count == 4,
            let width = Int(first[1]), let height = Int(first[2])
        else {
            throw Tools.Failure(description: "identify said: \(frames)")
        }
        format = String(first[0])
        self.width = width
        self.height = height
        frameCount = frames.count
        colorspace = String(first[3])
        rgba = [UInt8](
            try await Tools.run("/usr/bin/convert", ["\(path)[0]", "-colorspace", "sRGB", "-depth", "8", "rgba:-"]))
        guard rgba.count == width * height * 4 else {
            throw Tools.Failure(description: "\(rgba.count) bytes of pixels for \(width)×\(height)")
        }
    }

    /// The red, green, blue and alpha of the pixel at `x`,`y`.
    func pixel(_ x: Int, _ y: Int) -> RGBA {
        let offset = (y * width + x) * 4
        return RGBA(red: rgba[offset], green: rgba[offset + 1], blue: rgba[offset + 2], alpha: rgba[offset + 3])
    }

    var description: String { "\(format) \(width)×\(height), \(frameCount) frame(s), \(colorspace)" }

    /// Whether every pixel's red, green and blue are within `tolerance` of each other (lossy codecs that store
    /// colour at lower resolution leave a trace of it even in grey pictures).
    func isGray(tolerance: Int = 0) -> Bool {
        stride(from: 0, to: rgba.count, by: 4).allSatisfy { offset in
            let channels = rgba[offset..<offset + 3].map(Int.init)
            return channels.max()! - channels.min()! <= tolerance
        }
    }

    /// The sum of absolute differences, over all channels, from `other` (of the same size).
    func difference(from other: DecodedImage) -> Int {
        var sum = 0
        for (mine, theirs) in zip(rgba, other.rgba) {
            sum += abs(Int(mine) - Int(theirs))
        }
        return sum
    }
}

/// A colour with 8-bit channels.
struct RGBA: Equatable, CustomStringConvertible {
    var red: UInt8
    var green: UInt8
    var blue: UInt8
    var alpha: UInt8 = 255

    static let red = RGBA(red: 255, green: 0, blue: 0)
    static let green = RGBA(red: 0, green: 255, blue: 0)
    static let blue = RGBA(red: 0, green: 0, blue: 255)
    static let yellow = RGBA(red: 255, green: 255, blue: 0)
    static let white = RGBA(red: 255, green: 255, blue: 255)

    /// Whether each channel is within `tolerance` of `other`'s (lossy codecs move colours a little).
    func isClose(to other: RGBA, tolerance: Int = 40) -> Bool {
        let pairs: [(UInt8, UInt8)] = [
            (red, other.red), (green, other.green), (blue, other.blue), (alpha, other.alpha),
        ]
        return pairs.allSatisfy { abs(Int($0.0) - Int($0.1)) <= tolerance }
    }

    var description: String { "rgba(\(red),\(green),\(blue),\(alpha))" }
}
