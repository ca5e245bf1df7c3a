import ArgumentParser
import Foundation
import RefractCore
import RefractServer

/// `refract new-transform`: writes a working plugin skeleton, with its own test, into the plugins folder.
struct NewTransformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-transform",
        abstract: "Write a plugin skeleton into transforms/NAME."
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The transform's name: lower-case letters, digits, '_' and '-', starting with a letter.")
    var name: String

    @Option(help: "exec (a process per request) or http (a function URL).")
    var runtime: TransformSkeleton.Runtime = .exec

    @Option(help: "The plugins folder (default: transforms.plugins.dir).")
    var dir: String?

    func validate() throws {
        guard SuffixParser.isValidStepName(name) else {
            throw ValidationError(
                "'\(name)' is not a transform name: lower-case letters, digits, '_' and '-', starting with a letter")
        }
    }

    func run() throws {
        let pluginsFolder = try dir ?? options.load().transforms.plugins.dir
        let folder = "\(pluginsFolder)/\(name)"
        guard !FileManager.default.fileExists(atPath: folder) else {
            throw startupFailure("\(folder) already exists; choose another name or remove it")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in TransformSkeleton.files(name: name, runtime: runtime) {
            let path = "\(folder)/\(file.path)"
            try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path))
            if file.contents.hasPrefix("#!") {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            }
            print("wrote \(path)")
        }
    }
}

extension TransformSkeleton.Runtime: ExpressibleByArgument {}
