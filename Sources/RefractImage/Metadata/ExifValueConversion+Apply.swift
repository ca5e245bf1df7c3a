import Foundation

extension ExifValueConversion {
    /// Applies the conversion to exiftool's text of a value (`bigEndian` is the EXIF block's byte order, which
    /// Unicode comments default to).
    func apply(to text: [UInt8], bigEndian: Bool) -> ExifValue {
        switch self {
        case .none:
            return ExifValue(exiftoolText: text)
        case .trimTrailingWhitespace:
            return ExifValue(exiftoolText: Self.trimmingTrailing(text, where: ExiftoolText.isSpace))
        case .trimTrailingNulls:
            return ExifValue(exiftoolText: Self.trimmingTrailing(text) { $0 == 0 })
        case .trimTrailingSpaces:
            return ExifValue(exiftoolText: Self.trimmingTrailing(text) { $0 == 0x20 })
        case .exifText:
            return ExifValue(exiftoolText: Self.exifText(text, bigEndian: bigEndian))
        case .ucs2LittleEndian:
            guard !text.isEmpty else { return ExifValue(exiftoolText: text) }
            return ExifValue(exiftoolText: Self.utf16(text, bigEndian: false, guessOrder: false, pairSurrogates: false))
        case .apexShutterSpeed:
            let value = ExiftoolText.numericValue(text)
            let seconds = ExiftoolText.isFloat(text) && abs(value) < 100 ? pow(2, -value) : 0
            return ExifValue(exiftoolText: Array(ExiftoolText.number(seconds).utf8))
        case .apexAperture:
            let value = pow(2, ExiftoolText.numericValue(text) / 2)
            return ExifValue(exiftoolText: Array(ExiftoolText.number(value).utf8))
        case .degrees:
            return ExifValue(exiftoolText: Self.degrees(text))
        case .gpsTimeStamp:
            return ExifValue(exiftoolText: Self.timeStamp(text))
        case .gpsDateStamp:
            return ExifValue(exiftoolText: Self.dateStamp(Self.trimmingTrailing(text) { $0 == 0 }))
        case .copyright:
            return ExifValue(exiftoolText: Self.copyright(text))
        case .cfaPattern:
            return ExifValue(exiftoolText: Self.cfaPattern(text, bigEndian: bigEndian))
        case .binary:
            return .binary(byteCount: text.count)
        case .binaryIfLonger(let limit):
            return text.count > limit ? .binary(byteCount: text.count) : ExifValue(exiftoolText: text)
        }
    }

    private static func trimmingTrailing(_ text: [UInt8], where shouldTrim: (UInt8) -> Bool) -> [UInt8] {
        var end = text.count
        while end > 0, shouldTrim(text[end - 1]) { end -= 1 }
        return Array(text[..<end])
    }

    /// exiftool's `ConvertExifText`: an 8-byte code (`ASCII`, `UNICODE`, `JIS`, or blank) then the text.
    private static func exifText(_ value: [UInt8], bigEndian: Bool) -> [UInt8] {
        guard value.count >= 8 else { return value }
        let code = value[..<8]
        let body = Array(value[8...])
        let text: [UInt8]
        let afterASCII = code.starts(with: Array("ASCII".utf8)) ? code.dropFirst(5) : code[...]
        if afterASCII.first == 0 || (!afterASCII.isEmpty && afterASCII.allSatisfy { $0 == 0 || $0 == 0x20 }) {
            text = Array(body.prefix { $0 != 0 })
        } else if code.starts(with: Array("UNICODE".utf8)) && (code.last == 0 || code.last == 0x20) {
            text = utf16(body, bigEndian: bigEndian, guessOrder: true, pairSurrogates: true)
        } else if code.starts(with: Array("JIS".utf8)) && code.dropFirst(3).allSatisfy({ $0 == 0 || $0 == 0x20 }) {
            text = body
        } else {
            text = value
        }
        return trimmingTrailing(text) { $0 == 0x20 }
    }

    /// Two-byte text to UTF-8 as exiftool's `Decode` does it: a byte-order mark wins, an unknown order is guessed from
    /// which byte varies more, and the text ends at its first NUL.
    private static func utf16(_ bytes: [UInt8], bigEndian: Bool, guessOrder: Bool, pairSurrogates: Bool) -> [UInt8] {
        var body = bytes[...]
        var isBigEndian = bigEndian
        var shouldGuess = guessOrder
        if body.count >= 2,
            (body.first == 0xFE && body.dropFirst().first == 0xFF)
                || (body.first == 0xFF && body.dropFirst().first == 0xFE)
        {
            isBigEndian = body.first == 0xFE
            shouldGuess = false
            body = body.dropFirst(2)
        }
        func units(bigEndian: Bool) -> [UInt32] {
            stride(from: body.startIndex, to: body.endIndex - 1, by: 2).map { index in
                let first = UInt32(body[index])
                let second = UInt32(body[index + 1])
                return bigEndian ? first << 8 | second : second << 8 | first
            }
        }
        var codeUnits = units(bigEndian: isBigEndian)
        if shouldGuess {
            let highs = Set(codeUnits.map { $0 >> 8 }).count
            let lows = Set(codeUnits.map { $0 & 0xFF }).count
            let zeroHighs = codeUnits.filter { $0 & 0xFF00 == 0 }.count
            let zeroLows = codeUnits.filter { $0 & 0x00FF == 0 }.count
            if highs > lows || (highs == lows && zeroLows > zeroHighs) {
                codeUnits = units(bigEndian: !isBigEndian)
            }
        }
        var codePoints: [UInt32] = []
        var index = 0
        while index < codeUnits.count {
            let unit = codeUnits[index]
            if pairSurrogates, index + 1 < codeUnits.count, unit & 0xFC00 == 0xD800,
                codeUnits[index + 1] & 0xFC00 == 0xDC00
            {
                codePoints.append(0x10000 + ((unit & 0x3FF) << 10) + (codeUnits[index + 1] & 0x3FF))
                index += 2
            } else {
                codePoints.append(unit)
                index += 1
            }
        }
        return Array(codePoints.prefix { $0 != 0 }.flatMap(ExiftoolText.utf8Bytes(ofCodePoint:)))
    }

    /// exiftool's `ToDegrees` without a sign: `d + (m + s / 60) / 60` of the first three numbers, empty when a value
    /// is `inf` or `undef`.
    private static func degrees(_ text: [UInt8]) -> [UInt8] {
        let words = String(decoding: text, as: UTF8.self).split { !$0.isLetter && !$0.isNumber && $0 != "_" }
        guard !words.contains(where: { $0 == "inf" || $0 == "undef" }) else { return [] }
        let numbers = ExiftoolText.numbers(in: text)
        guard let whole = numbers.first else { return [] }
        let minutes = numbers.count > 1 ? numbers[1] : 0
        let seconds = numbers.count > 2 ? numbers[2] : 0
        let degrees = whole + (minutes + seconds / 60) / 60
        return Array(ExiftoolText.number(abs(degrees)).utf8)
    }

    /// exiftool's `ConvertTimeStamp`: "h m s" to `HH:MM:SS` with at most nine decimals of seconds.
    private static func timeStamp(_ text: [UInt8]) -> [UInt8] {
        let parts = text.split(whereSeparator: ExiftoolText.isSpace).map { ExiftoolText.numericValue(Array($0)) }
        var total = ((parts.first ?? 0) * 60 + (parts.count > 1 ? parts[1] : 0)) * 60 + (parts.count > 2 ? parts[2] : 0)
        guard total.isFinite, abs(total) < 1e15 else { return text }
        var hours = (total / 3600).rounded(.towardZero)
        total -= hours * 3600
        var minutes = (total / 60).rounded(.towardZero)
        total -= minutes * 60
        var seconds = String(format: "%012.9f", total)
        if (Double(seconds) ?? 0) >= 60 {
            seconds = "00"
            minutes += 1
            if minutes >= 60 {
                minutes -= 60
                hours += 1
            }
        } else {
            while seconds.hasSuffix("0") { seconds.removeLast() }
            if seconds.hasSuffix(".") { seconds.removeLast() }
        }
        return Array((String(format: "%.2ld:%.2ld:", Int(hours), Int(minutes)) + seconds).utf8)
    }

    /// exiftool's `ExifDate`: the trailing `YYYY?MM?DD` (any non-digits between) becomes `YYYY:MM:DD`.
    private static func dateStamp(_ text: [UInt8]) -> [UInt8] {
        var date = text
        if date.last == 0 { date.removeLast() }
        func digits(_ from: Int, _ count: Int) -> Bool {
            from + count <= date.count && date[from..<(from + count)].allSatisfy(ExiftoolText.isDigit)
        }
        func skipNonDigits(_ from: Int) -> Int {
            var index = from
            while index < date.count, !ExiftoolText.isDigit(date[index]) { index += 1 }
            return index
        }
        for start in date.indices where digits(start, 4) {
            let month = skipNonDigits(start + 4)
            guard digits(month, 2) else { continue }
            let day = skipNonDigits(month + 2)
            guard digits(day, 2), day + 2 == date.count else { continue }
            let formatted = date[start..<(start + 4)] + [0x3A] + date[month..<(month + 2)] + [0x3A] + date[day...]
            return Array(date[..<start] + formatted)
        }
        return date
    }

    /// The Copyright tag's "photographer NUL editor NUL" form as lines.
    private static func copyright(_ text: [UInt8]) -> [UInt8] {
        var value = text
        if let nul = value.firstIndex(of: 0) {
            var start = nul
            while start > 0, value[start - 1] == 0x20 { start -= 1 }
            value.replaceSubrange(start...nul, with: [0x0A])
        }
        if let nul = value.firstIndex(of: 0) {
            var start = nul
            while start > 0, value[start - 1] == 0x20 { start -= 1 }
            value.removeSubrange(start...)
        }
        if value.last == 0x0A { value.removeLast() }
        return value
    }

    /// exiftool's `DecodeCFAPattern`: the two dimensions (in the block's byte order, or swapped when they do not fit)
    /// then the colour of each cell.
    private static func cfaPattern(_ raw: [UInt8], bigEndian: Bool) -> [UInt8] {
        var value = raw
        if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "6") }) {
            value = value.map { $0 - UInt8(ascii: "0") }
        }
        guard value.count >= 4 else { return value }
        func dimension(_ index: Int, _ bigEndian: Bool) -> Int {
            bigEndian
                ? Int(value[index]) << 8 | Int(value[index + 1]) : Int(value[index + 1]) << 8 | Int(value[index])
        }
        var columns = dimension(0, bigEndian)
        var rows = dimension(2, bigEndian)
        let cells = value.count - 4
        if columns * rows > cells {
            let swappedColumns = dimension(0, !bigEndian)
            let swappedRows = dimension(2, !bigEndian)
            if swappedColumns * swappedRows <= cells {
                columns = swappedColumns
                rows = swappedRows
            }
        }
        let numbers = [columns, rows] + value[4...].map(Int.init)
        return Array(numbers.map(String.init).joined(separator: " ").utf8)
    }
}
