/// One step of a transform suffix as written, before it is checked against a transform: `resize:w=300,fit=cover`.
public struct StepCall: Sendable, Equatable {
    /// The step name: a transform or a preset.
    public var name: String
    /// The arguments in the order written.
    public var arguments: [StepArgument]

    public init(name: String, arguments: [StepArgument] = []) {
        self.name = name
        self.arguments = arguments
    }
}

/// One argument of a step: `key=value`, or a bare `value` for the step's primary parameter.
public struct StepArgument: Sendable, Equatable {
    /// The parameter name; nil for a bare value.
    public var key: String?
    public var value: String

    public init(key: String?, value: String) {
        self.key = key
        self.value = value
    }
}
