import RefractCore
import Testing

/// Random text thrown at the path splitter, the parser and the registry: they answer or throw a `RefractError`,
/// never crash, and whatever they accept round-trips through its canonical form.
@Suite struct FuzzTests {
    static let tokens = [
        "resize", "format", "thumb", "grayscale", "quality", "blur", "translate", "w", "h", "fit", "q", "type",
        "sigma", "cover", "webp", "fr", "300", "1.5", "0", "-", "_", "true", "!", "!", "!", ":", ":", ",", ",", "=",
        "=", "%", "%21", "%2", "%zz", "%C3%A9", "%FF", "/", "#", "+", "é", "🙂", "\u{0}", " ", "\n", "e\u{301}",
        "A", "~", "\u{202E}", "\u{FFFE}",
    ]

    @Test func randomTextNeverCrashesAndOnlyThrowsRefractErrors() throws {
        let presets = ["thumb": "resize:w=200,h=200,fit=cover", "small": "thumb!quality:60"]
        let registry = try makeRegistry(presets: presets)
        let strictRegistry = try makeRegistry(presets: presets, onlyPresets: true)
        var random = SplitMix64(seed: 0xF022_0001)
        var accepted = 0
        func check(_ text: String, _ makePipeline: () throws(RefractError) -> Pipeline) {
            do throws(RefractError) {
                let pipeline = try makePipeline()
                #expect(try registry.pipeline(for: pipeline.canonical).canonical == pipeline.canonical)
                accepted += 1
            } catch {
                expectReadable(error, for: text)
            }
        }
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...12, using: &random))
                .map { _ in Self.tokens.randomElement(using: &random)! }
                .joined()
            check(text) { () throws(RefractError) in try registry.pipeline(for: text) }
            check(text) { () throws(RefractError) in try strictRegistry.pipeline(for: text) }
            check(text) { () throws(RefractError) in try strictRegistry.pipeline(steps: text) }
            do throws(RefractError) {
                let path = try RequestPath(rawPath: "/photos/" + text)
                if let suffix = path.suffix {
                    check(suffix) { () throws(RefractError) in try registry.pipeline(for: suffix) }
                }
            } catch {
                expectReadable(error, for: text)
            }
        }
        // The test means little unless some of the random text makes real pipelines.
        #expect(accepted > 200)
    }

    private func expectReadable(_ error: RefractError, for text: String) {
        #expect(["InvalidArgument", "InvalidTransform"].contains(error.s3Code))
        #expect(!error.message.isEmpty)
        // Messages quote the request, so they must escape what XML and terminals cannot show.
        let isReadable = error.message.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0 != "\u{202E}" }
        #expect(isReadable, "\(error.message.debugDescription) for \(text.debugDescription)")
    }
}
