import RefractCore
import Testing

@Suite struct SuffixParserTests {
    @Test(arguments: [
        ("grayscale", [StepCall(name: "grayscale")]),
        ("resize:w=300", [StepCall(name: "resize", arguments: [StepArgument(key: "w", value: "300")])]),
        (
            "resize:w=400,h=400,fit=cover!format:auto",
            [
                StepCall(
                    name: "resize",
                    arguments: [
                        StepArgument(key: "w", value: "400"), StepArgument(key: "h", value: "400"),
                        StepArgument(key: "fit", value: "cover"),
                    ]
                ),
                StepCall(name: "format", arguments: [StepArgument(key: nil, value: "auto")]),
            ]
        ),
        ("translate:pt-BR", [StepCall(name: "translate", arguments: [StepArgument(key: nil, value: "pt-BR")])]),
        (
            "resize:bg=#ff8800,w=1",
            [
                StepCall(
                    name: "resize",
                    arguments: [StepArgument(key: "bg", value: "#ff8800"), StepArgument(key: "w", value: "1")]
                )
            ]
        ),
        (
            "blur:sigma=1e+20!x-y_2:a_1=-0.5,b=image/webp,~",
            [
                StepCall(name: "blur", arguments: [StepArgument(key: "sigma", value: "1e+20")]),
                StepCall(
                    name: "x-y_2",
                    arguments: [
                        StepArgument(key: "a_1", value: "-0.5"), StepArgument(key: "b", value: "image/webp"),
                        StepArgument(key: nil, value: "~"),
                    ]
                ),
            ]
        ),
        ("thumb!thumb", [StepCall(name: "thumb"), StepCall(name: "thumb")]),
    ])
    func accepts(suffix: String, expected: [StepCall]) throws {
        #expect(try SuffixParser.parse(suffix) == expected)
    }

    @Test(arguments: [
        ("", "step 1 is empty"),
        ("!resize", "step 1 is empty"),
        ("resize:w=1!", "step 2 is empty"),
        ("resize!!format:png", "step 2 is empty"),
        ("resize:", "step 1 'resize:': empty argument list"),
        ("grayscale!resize:", "step 2 'resize:': empty argument list"),
        (":w=1", "step 1 ':w=1': the step name is missing"),
        ("Resize:w=1", "step 1 'Resize:w=1': invalid step name 'Resize'"),
        ("1resize", "step 1 '1resize': invalid step name '1resize'"),
        ("re size", "step 1 're size': invalid step name 're size'"),
        ("résumé", "step 1 'résumé': invalid step name 'résumé'"),
        ("resize:w=1,,h=2", "step 1 'resize:w=1,,h=2': argument 2 is empty"),
        ("resize:w=1,", "step 1 'resize:w=1,': argument 2 is empty"),
        ("resize:,w=1", "step 1 'resize:,w=1': argument 1 is empty"),
        ("resize:=1", "step 1 'resize:=1': argument 1 has no parameter name before '='"),
        ("resize:W=1", "step 1 'resize:W=1': invalid parameter name 'W'"),
        ("resize:max-w=1", "step 1 'resize:max-w=1': invalid parameter name 'max-w'"),
        ("resize:w=", "step 1 'resize:w=': parameter 'w' has an empty value"),
        ("resize:w=1=2", "parameter 'w' has the character '=' in its value '1=2'"),
        ("resize:w=1:h=2", "parameter 'w' has the character ':' in its value '1:h=2'"),
        ("resize:w=3 00", "parameter 'w' has the character ' ' in its value '3 00'"),
        ("resize:w=3%2000", "parameter 'w' has the character '%' in its value '3%2000'"),
        ("translate:to=fr\n", "step 1 'translate:to=fr\\u{a}': parameter 'to' has the character '\\u{a}'"),
        ("translate:to=\u{0}", "parameter 'to' has the character '\\u{0}'"),
        ("translate:日本", "step 1 'translate:日本': argument 1 has the character '日'"),
        ("format:web p", "step 1 'format:web p': argument 1 has the character ' ' in its value 'web p'"),
        ("format:webp\u{301}", "argument 1 has the character '\u{301}'"),
    ])
    func refuses(suffix: String, message: String) {
        let error = #expect(throws: RefractError.self) { try SuffixParser.parse(suffix) }
        #expect(error?.s3Code == "InvalidTransform")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func quotesLongStepsShortly() {
        let longStep = "resize:" + String(repeating: "w", count: 500) + " "
        let error = #expect(throws: RefractError.self) { try SuffixParser.parse(longStep) }
        #expect((error?.message.count ?? .max) < 300)
    }
}
