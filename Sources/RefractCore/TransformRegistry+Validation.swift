extension TransformRegistry {
    /// The validated parameters of one step, defaults filled in.
    static func parameters(of call: StepCall, for descriptor: TransformDescriptor) throws(RefractError)
        -> TransformParameters
    {
        let step = descriptor.name
        var values: [String: ParameterValue] = [:]
        for argument in call.arguments {
            guard let name = argument.key ?? descriptor.primaryParameter else {
                throw .invalidTransform(
                    "\(step): the value '\(argument.value)' needs a parameter name (\(step) has no primary parameter; "
                        + "\(parameterList(of: descriptor)))"
                )
            }
            guard let parameter = descriptor.parameters.first(where: { $0.name == name }) else {
                throw .invalidTransform("\(step): unknown parameter '\(name)' (\(parameterList(of: descriptor)))")
            }
            guard values[name] == nil else {
                throw .invalidTransform("\(step): parameter '\(name)' is given more than once")
            }
            guard let value = parameter.value(parsing: argument.value) else {
                throw .invalidTransform(
                    "\(step): parameter '\(name)' must be \(parameter.allowedValues), got '\(argument.value)'"
                )
            }
            values[name] = value
        }
        for parameter in descriptor.parameters where values[parameter.name] == nil {
            values[parameter.name] = parameter.defaultValue
        }
        return TransformParameters(values)
    }

    private static func parameterList(of descriptor: TransformDescriptor) -> String {
        guard !descriptor.parameters.isEmpty else { return "it takes no parameters" }
        return "its parameters are " + descriptor.parameters.map(\.name).joined(separator: ", ")
    }

    /// Refuses a descriptor that suffixes could not address or whose defaults its own parameters would refuse.
    static func check(_ descriptor: TransformDescriptor) throws(ConfigurationError) {
        func failure(_ problem: String) -> ConfigurationError {
            ConfigurationError(keyPath: nil, message: "transform '\(descriptor.name)': \(problem)")
        }
        guard SuffixParser.isValidStepName(descriptor.name) else {
            throw failure("the name is not lower-case letters, digits, '_' and '-', starting with a letter")
        }
        var names: Set<String> = []
        for parameter in descriptor.parameters {
            guard SuffixParser.isValidParameterName(parameter.name) else {
                throw failure(
                    "parameter '\(parameter.name)' is not lower-case letters, digits and '_', starting with a letter"
                )
            }
            guard names.insert(parameter.name).inserted else {
                throw failure("parameter '\(parameter.name)' is declared twice")
            }
            if let defaultValue = parameter.defaultValue,
                parameter.value(parsing: defaultValue.description) != defaultValue
            {
                throw failure(
                    "the default '\(defaultValue)' of parameter '\(parameter.name)' is not \(parameter.allowedValues)"
                )
            }
        }
        if let primary = descriptor.primaryParameter, !names.contains(primary) {
            throw failure("the primary parameter '\(primary)' is not one of its parameters")
        }
    }

    /// Refuses presets that expand into each other forever, naming the cycle (`a -> b -> a`).
    static func checkForCycles(in presetCalls: [String: [StepCall]]) throws(ConfigurationError) {
        var finished: Set<String> = []
        func visit(_ name: String, path: [String]) throws(ConfigurationError) {
            guard !finished.contains(name) else { return }
            if let start = path.firstIndex(of: name) {
                let cycle = path[start...] + [name]
                throw ConfigurationError(
                    keyPath: "presets.\(name)",
                    message: "presets refer to each other in a cycle: " + cycle.joined(separator: " -> ")
                )
            }
            for call in presetCalls[name] ?? [] where presetCalls[call.name] != nil {
                try visit(call.name, path: path + [name])
            }
            finished.insert(name)
        }
        for name in presetCalls.keys.sorted() {
            try visit(name, path: [])
        }
    }
}
