import Testing

@testable import RefractPlugins

@Suite struct StderrLineSplitterTests {
    private func append(_ text: String, to splitter: inout StderrLineSplitter) -> [String] {
        Array(text.utf8).withUnsafeBytes { splitter.append($0) }
    }

    @Test func cutsLinesAcrossChunks() {
        var splitter = StderrLineSplitter()
        #expect(append("first li", to: &splitter) == [])
        #expect(append("ne\r\nsecond\n\n\nthi", to: &splitter) == ["first line", "second"])
        #expect(append("rd", to: &splitter) == [])
        #expect(splitter.finish() == "third")
        #expect(splitter.finish() == nil)
    }

    @Test func keepsTheFirst4KiBOfALongLine() {
        var splitter = StderrLineSplitter()
        let long = String(repeating: "é", count: 3000)  // 6000 bytes
        #expect(append(long, to: &splitter) == [])
        let lines = append("\nafter\n", to: &splitter)
        #expect(lines.count == 2)
        #expect(lines.first?.utf8.count == StderrLineSplitter.maxLineBytes)
        #expect(lines.last == "after")
    }
}
