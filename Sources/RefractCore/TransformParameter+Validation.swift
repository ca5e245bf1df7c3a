extension TransformParameter {
    /// The value `text` stands for, or nil when the parameter does not allow it.
    ///
    /// Numbers are plain decimals with an optional exponent (`1.5`, `-2`, `1e+20`, as `ParameterValue` writes them);
    /// `nan`, `inf` and hexadecimal floats are refused.
    public func value(parsing text: String) -> ParameterValue? {
        switch kind {
        case .integer(let range):
            guard let value = Int(text), range.contains(value) else { return nil }
            return .integer(value)
        case .number(let range):
            guard text.unicodeScalars.allSatisfy(Self.isDecimalNumberCharacter),
                let value = Double(text), value.isFinite, range.contains(value)
            else { return nil }
            return .number(value)
        case .boolean:
            switch text {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: return nil
            }
        case .string:
            return .string(text)
        case .choice(let choices):
            return choices.contains(text) ? .string(text) : nil
        }
    }

    /// What the parameter allows, to finish "must be ...": `an integer in 1...8192`.
    public var allowedValues: String {
        switch kind {
        case .integer(let range): "an integer in \(range.lowerBound)...\(range.upperBound)"
        case .number(let range):
            "a number in \(ParameterValue.number(range.lowerBound))...\(ParameterValue.number(range.upperBound))"
        case .boolean: "true or false"
        case .string: "a string"
        case .choice(let choices): "one of \(choices.joined(separator: ", "))"
        }
    }

    private static func isDecimalNumberCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", ".", "-", "+", "e", "E": true
        default: false
        }
    }
}
