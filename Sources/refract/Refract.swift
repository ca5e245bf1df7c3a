import ArgumentParser

/// The `refract` command: the gateway and the tools around it.
@main
struct Refract: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refract",
        abstract: "An S3-compatible gateway that transforms objects as they are read.",
        subcommands: [
            ServeCommand.self, TransformsCommand.self, InvokeCommand.self, NewTransformCommand.self, JobsCommand.self,
            PipelinesCommand.self, SignCommand.self,
        ]
    )
}
