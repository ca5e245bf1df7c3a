import Testing

@testable import RefractImage

/// The Perl renderings exiftool's output depends on.
@Suite struct ExiftoolTextTests {
    @Test func numbersPrintAsPerlPrintsThem() {
        #expect(ExiftoolText.number(0.1 + 0.2) == "0.3")
        #expect(ExiftoolText.number(Double(Float(0.1))) == "0.100000001490116")
        #expect(ExiftoolText.number(1e21) == "1e+21")
        #expect(ExiftoolText.number(-0.0) == "0")
        #expect(ExiftoolText.number(.infinity) == "Inf")
        #expect(ExiftoolText.rounded(1.0 / 3, significantDigits: 10) == "0.3333333333")
    }

    @Test func jsonNumbersAreWhatExiftoolPrintsBare() {
        for text in ["0", "-1", "0.004", "1e-05", "123456789012345", "2.8", "1.5E+3"] {
            #expect(ExiftoolText.looksLikeJSONNumber(Array(text.utf8)), "\(text)")
        }
        for text in ["", "-", "0232", "1.", ".5", "1234567890123456", "1 2", "inf", "1e1234", "0x10", "+1"] {
            #expect(!ExiftoolText.looksLikeJSONNumber(Array(text.utf8)), "\(text)")
        }
    }

    @Test func invalidUTF8BecomesQuestionMarks() {
        #expect(ExiftoolText.fixedUTF8(Array("été".utf8)) == "été")
        #expect(ExiftoolText.fixedUTF8([0x41, 0xFF, 0x42]) == "A?B")
        #expect(ExiftoolText.fixedUTF8([0xC0, 0x80]) == "??")  // overlong
        #expect(ExiftoolText.fixedUTF8([0xED, 0xA0, 0x80]) == "???")  // a surrogate
        #expect(ExiftoolText.fixedUTF8([0xEF, 0xBF, 0xBF]) == "???")  // U+FFFF
        #expect(ExiftoolText.fixedUTF8([0xF0, 0x9F, 0x99, 0x82]) == "🙂")
        #expect(ExiftoolText.fixedUTF8([0xE2, 0x82]) == "??")  // cut short
    }

    @Test func numbersInTextAreReadAsPerlReadsThem() {
        #expect(ExiftoolText.numericValue(Array("  12.5abc".utf8)) == 12.5)
        #expect(ExiftoolText.numericValue(Array("undef".utf8)) == 0)
        #expect(ExiftoolText.numericValue(Array("inf".utf8)) == .infinity)
        #expect(ExiftoolText.numbers(in: Array("10 30 15.12".utf8)) == [10, 30, 15.12])
        #expect(ExiftoolText.isFloat(Array("-1.5e3".utf8)) && !ExiftoolText.isFloat(Array("1 2".utf8)))
    }
}
