import ArgumentParser
import Logging
import RefractCore
import RefractServer

/// `refract transforms`: every transform with its parameters.
struct TransformsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transforms",
        abstract: "List the transforms and their parameters."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        let transforms = try await LoadedTransforms(configuration: configuration, logger: Logger(label: "refract"))
        let pluginNames = Set(transforms.plugins.transforms.map(\.descriptor.name))
        for transform in transforms.all.sorted(by: { $0.descriptor.name < $1.descriptor.name }) {
            let descriptor = transform.descriptor
            let origin = pluginNames.contains(descriptor.name) ? " (plugin)" : ""
            print("\(descriptor.name) \(descriptor.version)\(origin): \(descriptor.summary)")
            if !descriptor.accepts.isEmpty { print("  accepts: \(descriptor.accepts.joined(separator: ", "))") }
            for parameter in descriptor.parameters {
                let primary = parameter.name == descriptor.primaryParameter ? " (primary)" : ""
                let defaultText = parameter.defaultValue.map { ", default \($0)" } ?? ""
                print("  \(parameter.name)\(primary): \(parameter.kind.summary)\(defaultText). \(parameter.summary)")
            }
        }
        for (name, pipeline) in configuration.presets.sorted(by: { $0.key < $1.key }) {
            print("\(name) (preset): \(pipeline)")
        }
        try await transforms.shutdown()
    }
}

extension TransformParameter.Kind {
    fileprivate var summary: String {
        switch self {
        case .integer(let range) where range == Int.min...Int.max: "integer"
        case .integer(let range): "integer \(range.lowerBound)...\(range.upperBound)"
        case .number(let range) where range == -Double.infinity...Double.infinity: "number"
        case .number(let range): "number \(range.lowerBound)...\(range.upperBound)"
        case .boolean: "true | false"
        case .string: "text"
        case .choice(let values): values.joined(separator: " | ")
        }
    }
}
