import NIOCore
import RefractCore

/// Steps of the `letters` family: each appends its letter; a unit of several prints how its steps were grouped,
/// `(a b)`, so a test sees which steps ran together.
struct LetterTransform: FusibleTransform {
    let letter: String
    var family: String { "letters" }

    var descriptor: TransformDescriptor {
        TransformDescriptor(name: letter, version: "1", summary: "Appends '\(letter)'.", accepts: ["text/*"])
    }

    func apply(steps: [PipelineStep], to input: TransformInput, context: TransformContext) async throws
        -> TransformOutput
    {
        let text = try await String(buffer: input.body.collect(upTo: 1024, tooLarge: .sourceTooLarge("test")))
        let unit = "(" + steps.map(\.name).joined(separator: " ") + ")"
        return TransformOutput(body: ObjectBody(buffer: ByteBuffer(string: text + unit)), contentType: "text/plain")
    }
}

/// `pick:from=x+y` says in its variant which of its choices the `x-pick` header names, and refuses a `from` of
/// fewer than two choices when the pipeline is made.
struct PickTransform: Transform {
    var descriptor: TransformDescriptor {
        TransformDescriptor(
            name: "pick",
            version: "1",
            summary: "Passes the body on; its variant is the choice named by x-pick.",
            parameters: [TransformParameter(name: "from", kind: .string, summary: "Choices, joined by '+'.")],
            primaryParameter: "from"
        )
    }

    func check(_ parameters: TransformParameters) throws(RefractError) {
        guard let from = parameters.string("from"), from.split(separator: "+").count >= 2 else {
            throw .invalidTransform("pick needs two choices or more")
        }
    }

    func outputVariant(parameters: TransformParameters, requestHeaders: [String: String]) -> OutputVariant? {
        let choices = (parameters.string("from") ?? "").split(separator: "+").map(String.init)
        let wanted = requestHeaders["x-pick"] ?? ""
        return OutputVariant(requestHeader: "x-pick", value: choices.contains(wanted) ? wanted : "none")
    }

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        TransformOutput(body: input.body, contentType: input.contentType, contentLength: input.contentLength)
    }
}
