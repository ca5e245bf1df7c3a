/// Parses a transform suffix (`resize:w=400,h=400,fit=cover!format:auto`) into step calls, strictly.
///
/// The grammar (SPEC §1.2), on the percent-decoded suffix:
///
///     suffix   = step *("!" step)
///     step     = name [":" argument *("," argument)]
///     argument = key "=" value / value          ; a bare value sets the step's primary parameter
///     name     = [a-z] *[a-z0-9_-]
///     key      = [a-z] *[a-z0-9_]
///     value    = 1*([A-Za-z0-9] / "." / "-" / "_" / "#" / "+" / "/" / "~")
///
/// Values are ASCII letters, digits and `. - _ # + / ~`: enough for numbers (`-3`, `1.5`, `1e+20`), colours
/// (`#ff8800`), language tags (`pt-BR`) and media types (`image/webp`). Whitespace, control characters, non-ASCII
/// and the grammar's own `! , : =` are refused rather than guessed at, so a suffix has one reading only.
/// Every error is `InvalidTransform` and names the step by number and text.
public enum SuffixParser {
    /// Splits `suffix` into its steps and their arguments, checking the syntax only.
    public static func parse(_ suffix: String) throws(RefractError) -> [StepCall] {
        var calls: [StepCall] = []
        let steps = suffix.unicodeScalars.split(separator: "!", omittingEmptySubsequences: false)
        for (offset, step) in steps.enumerated() {
            calls.append(try parseStep(Substring(step), number: offset + 1))
        }
        return calls
    }

    /// Whether `name` is a well-formed step name: `[a-z][a-z0-9_-]*`.
    public static func isValidStepName(_ name: some StringProtocol) -> Bool {
        isIdentifier(name) { $0 == "_" || $0 == "-" }
    }

    /// Whether `name` is a well-formed parameter name: `[a-z][a-z0-9_]*`.
    public static func isValidParameterName(_ name: some StringProtocol) -> Bool {
        isIdentifier(name) { $0 == "_" }
    }

    private static func parseStep(_ step: Substring, number: Int) throws(RefractError) -> StepCall {
        guard !step.isEmpty else {
            throw .invalidTransform("step \(number) is empty")
        }
        func failure(_ problem: String) -> RefractError {
            .invalidTransform("step \(number) \(step.quotedForMessage()): \(problem)")
        }
        let scalars = step.unicodeScalars
        let colon = scalars.firstIndex(of: ":")
        let name = Substring(scalars[..<(colon ?? scalars.endIndex)])
        guard !name.isEmpty else { throw failure("the step name is missing") }
        guard isValidStepName(name) else {
            throw failure(
                "invalid step name \(name.quotedForMessage()): a name is lower-case letters, digits, '_' and '-', "
                    + "starting with a letter"
            )
        }
        guard let colon else { return StepCall(name: String(name)) }

        let argumentList = scalars[scalars.index(after: colon)...]
        guard !argumentList.isEmpty else { throw failure("empty argument list") }
        var arguments: [StepArgument] = []
        for (offset, argument) in argumentList.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let argumentNumber = offset + 1
            guard !argument.isEmpty else { throw failure("argument \(argumentNumber) is empty") }
            guard let equals = argument.firstIndex(of: "=") else {
                try checkValue(Substring(argument)) { problem in failure("argument \(argumentNumber) \(problem)") }
                arguments.append(StepArgument(key: nil, value: String(Substring(argument))))
                continue
            }
            let key = Substring(argument[..<equals])
            let value = Substring(argument[argument.index(after: equals)...])
            guard !key.isEmpty else {
                throw failure("argument \(argumentNumber) has no parameter name before '='")
            }
            guard isValidParameterName(key) else {
                throw failure(
                    "invalid parameter name \(key.quotedForMessage()): a name is lower-case letters, digits and '_', "
                        + "starting with a letter"
                )
            }
            try checkValue(value) { problem in failure("parameter \(key.quotedForMessage()) \(problem)") }
            arguments.append(StepArgument(key: String(key), value: String(value)))
        }
        return StepCall(name: String(name), arguments: arguments)
    }

    /// Checks a value against the grammar; `failure` turns "has ..." into the error naming the argument.
    private static func checkValue(
        _ value: Substring,
        failure: (String) -> RefractError
    ) throws(RefractError) {
        guard !value.isEmpty else { throw failure("has an empty value") }
        if let refused = value.unicodeScalars.first(where: { !isValueCharacter($0) }) {
            throw failure(
                "has the character \(String(refused).quotedForMessage()) in its value \(value.quotedForMessage()); "
                    + "values are letters, digits and . - _ # + / ~"
            )
        }
    }

    private static func isIdentifier(
        _ text: some StringProtocol,
        allowing isAllowedPunctuation: (Unicode.Scalar) -> Bool
    ) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return text.unicodeScalars.dropFirst().allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || isAllowedPunctuation(scalar)
        }
    }

    private static func isValueCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_", "#", "+", "/", "~": true
        default: false
        }
    }
}
