/// One step of a pipeline: a transform and its validated parameters, defaults filled in.
public struct PipelineStep: Sendable {
    public let transform: any Transform
    public let parameters: TransformParameters
    /// `name`, or `name:k=v,...` with keys sorted and parameters equal to their default left out.
    public let canonical: String

    init(transform: any Transform, parameters: TransformParameters) {
        self.transform = transform
        self.parameters = parameters
        let descriptor = transform.descriptor
        let explicitArguments = descriptor.parameters
            .compactMap { parameter -> (name: String, value: ParameterValue)? in
                guard let value = parameters[parameter.name], value != parameter.defaultValue else { return nil }
                return (parameter.name, value)
            }
            .sorted { $0.name < $1.name }
            .map { "\($0.name)=\($0.value)" }
        self.canonical =
            explicitArguments.isEmpty
            ? descriptor.name : "\(descriptor.name):\(explicitArguments.joined(separator: ","))"
    }

    /// The transform's step name.
    public var name: String { transform.descriptor.name }
}
