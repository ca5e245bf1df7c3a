import Foundation
import RefractCore
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

extension ExecTransform {
    /// How one run starts: in the plugin's folder, as the leader of a new process group, with its own environment.
    func configuration(eventFile: ExecEventFile, input: TransformInput, context: TransformContext) -> Configuration {
        var platformOptions = PlatformOptions()
        // A group of its own, which it leads: killing the group takes whatever the plugin started too.
        platformOptions.processGroupID = 0
        return Configuration(
            executable: executable,
            arguments: arguments,
            environment: .custom(environment(eventFile: eventFile, input: input, context: context)),
            workingDirectory: FilePath(directory),
            platformOptions: platformOptions
        )
    }

    private func environment(
        eventFile: ExecEventFile,
        input: TransformInput,
        context: TransformContext
    ) -> [Environment.Key: String] {
        var environment = inheritedEnvironment
        environment["REFRACT_EVENT"] = eventFile.path
        environment["REFRACT_REQUEST_ID"] = context.requestID
        environment["CONTENT_TYPE"] = input.contentType
        environment["CONTENT_LENGTH"] = input.contentLength.map(String.init)
        for (name, value) in context.parameters.values {
            environment[Environment.Key(rawValue: "REFRACT_PARAM_" + Self.variableName(name))!] = value.description
        }
        return environment
    }

    /// `command[0]`: a path is taken in the plugin's folder, a bare name is looked up in `searchPath` (a `PATH`).
    ///
    /// The name is looked up once, here: Subprocess would look it up at every run, starting a process for each
    /// directory it tries before the right one. A name not found stays a name, so that a program installed later
    /// still runs, and a run while it is missing fails as any run that cannot start.
    static func executable(_ program: String, directory: String, searchPath: String) -> Executable {
        guard program.contains("/") else {
            let found = searchPath.split(separator: ":").lazy
                .filter { $0.hasPrefix("/") }
                .map { FilePath(String($0)).appending(program) }
                .first(where: isExecutableFile)
            return found.map { .path($0) } ?? .name(program)
        }
        return .path(FilePath(directory).pushing(FilePath(program)).lexicallyNormalized())
    }

    private static func isExecutableFile(_ path: FilePath) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path.string, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path.string)
    }

    /// `PATH` (a default when the gateway has none), and `HOME`, `LANG`, `LC_ALL` and `TMPDIR` when set.
    static func inheritedEnvironment(_ gateway: [String: String]) -> [Environment.Key: String] {
        var environment: [Environment.Key: String] = ["PATH": gateway["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        for name in ["HOME", "LANG", "LC_ALL", "TMPDIR"] {
            environment[Environment.Key(rawValue: name)!] = gateway[name]
        }
        return environment
    }

    /// A parameter's name as it appears in `REFRACT_PARAM_<NAME>`: upper-cased, anything but ASCII letters and
    /// digits replaced by `_`.
    private static func variableName(_ parameter: String) -> String {
        String(
            parameter.uppercased().unicodeScalars.map { scalar in
                ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
            }
        )
    }
}
