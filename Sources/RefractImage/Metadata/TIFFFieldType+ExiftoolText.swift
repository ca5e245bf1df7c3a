extension TIFFFieldType {
    /// `count` values of this type read from `data`, as the text exiftool's `ReadValue` makes of them: numbers
    /// joined by spaces, rationals to 10 significant digits (`inf` or `undef` over zero), ASCII up to its first NUL,
    /// undefined bytes as they are.
    func exiftoolText(of data: ArraySlice<UInt8>, count: Int, bigEndian: Bool) -> [UInt8] {
        switch self {
        case .ascii:
            return Array(data.prefix { $0 != 0 })
        case .undefined:
            return Array(data)
        default:
            break
        }
        var text: [UInt8] = []
        text.reserveCapacity(count * 4)
        var offset = data.startIndex
        for index in 0..<count {
            if index > 0 { text.append(UInt8(ascii: " ")) }
            text.append(contentsOf: valueText(data, at: offset, bigEndian: bigEndian).utf8)
            offset += size
        }
        return text
    }

    private func valueText(_ data: ArraySlice<UInt8>, at offset: Int, bigEndian: Bool) -> String {
        func unsigned(_ at: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<width {
                let byte = UInt64(data[at + (bigEndian ? index : width - 1 - index)])
                value = value << 8 | byte
            }
            return value
        }
        switch self {
        case .byte, .ascii, .undefined:
            return String(data[offset])
        case .signedByte:
            return String(Int8(bitPattern: data[offset]))
        case .short:
            return String(unsigned(offset, 2))
        case .signedShort:
            return String(Int16(truncatingIfNeeded: unsigned(offset, 2)))
        case .long, .ifd:
            return String(unsigned(offset, 4))
        case .signedLong:
            return String(Int32(truncatingIfNeeded: unsigned(offset, 4)))
        case .rational:
            return Self.ratio(Double(unsigned(offset, 4)), Double(unsigned(offset + 4, 4)))
        case .signedRational:
            let numerator = Int32(truncatingIfNeeded: unsigned(offset, 4))
            let denominator = Int32(truncatingIfNeeded: unsigned(offset + 4, 4))
            return Self.ratio(Double(numerator), Double(denominator))
        case .float:
            return ExiftoolText.number(Double(Float(bitPattern: UInt32(unsigned(offset, 4)))))
        case .double:
            return ExiftoolText.number(Double(bitPattern: unsigned(offset, 8)))
        }
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> String {
        guard denominator != 0 else { return numerator != 0 ? "inf" : "undef" }
        return ExiftoolText.rounded(numerator / denominator, significantDigits: 10)
    }
}
