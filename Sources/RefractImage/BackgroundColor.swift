/// The colour of `contain` padding and of transparent pixels encoded as JPEG: `bg=` as hex `rgb`, `rrggbb` or
/// `rrggbbaa`, without `#`.
struct BackgroundColor: Sendable, Equatable {
    var red: UInt8
    var green: UInt8
    var blue: UInt8
    var alpha: UInt8

    /// Opaque white, what imgproxy and most browsers show behind a transparent image.
    static let white = BackgroundColor(red: 255, green: 255, blue: 255, alpha: 255)

    init(red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// The colour `hex` writes, or nil when it is not 3, 6 or 8 hex digits.
    init?(hex: String) {
        let values = hex.compactMap { $0.isASCII ? $0.hexDigitValue.map(UInt8.init) : nil }
        guard [3, 6, 8].contains(hex.count), values.count == hex.count else { return nil }
        if values.count == 3 {
            self.init(red: values[0] * 17, green: values[1] * 17, blue: values[2] * 17, alpha: 255)
        } else {
            func byte(_ index: Int) -> UInt8 { values[2 * index] << 4 | values[2 * index + 1] }
            self.init(red: byte(0), green: byte(1), blue: byte(2), alpha: values.count == 8 ? byte(3) : 255)
        }
    }

    /// The colour as ImageMagick reads it: `#rrggbbaa`.
    var magickColor: String {
        "#" + [red, green, blue, alpha].map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
