import NIOCore
import RefractCore

/// Upper-cases ASCII text chunk by chunk, as it streams: each input buffer becomes one output buffer.
struct UppercaseTransform: Transform {
    let descriptor = TransformDescriptor(
        name: "uppercase",
        version: "1",
        summary: "Upper-cases ASCII letters.",
        accepts: ["text/*"]
    )

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let lowercase = UInt8(ascii: "a")...UInt8(ascii: "z")
        let body = input.body.map { buffer in
            ByteBuffer(bytes: buffer.readableBytesView.map { lowercase.contains($0) ? $0 - 32 : $0 })
        }
        return TransformOutput(
            body: ObjectBody(body),
            contentType: input.contentType,
            contentLength: input.contentLength
        )
    }
}

/// Wraps each chunk in brackets as it streams (`abc` -> `[abc]`), so a test sees chunk boundaries survive.
struct BracketTransform: Transform {
    let descriptor = TransformDescriptor(
        name: "bracket",
        version: "1",
        summary: "Brackets each chunk.",
        accepts: ["text/*"]
    )

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let body = input.body.map { buffer in ByteBuffer(string: "[" + String(buffer: buffer) + "]") }
        return TransformOutput(body: ObjectBody(body), contentType: input.contentType)
    }
}

/// Reverses the whole text: it cannot stream, so it is a `BufferedTransform`.
struct ReverseTransform: BufferedTransform {
    let maxInputBytes: Int
    let descriptor = TransformDescriptor(
        name: "reverse",
        version: "1",
        summary: "Reverses the bytes.",
        accepts: ["text/*"]
    )

    func apply(buffer: ByteBuffer, contentType: String, context: TransformContext) async throws -> TransformOutput {
        let reversed = ByteBuffer(bytes: buffer.readableBytesView.reversed())
        return TransformOutput(
            body: ObjectBody(buffer: reversed),
            contentType: contentType,
            contentLength: reversed.readableBytes
        )
    }
}

/// Takes `ms` milliseconds before passing its input on, like a slow step.
struct PauseTransform: Transform {
    let descriptor = TransformDescriptor(
        name: "pause",
        version: "1",
        summary: "Waits, then passes the bytes on.",
        parameters: [TransformParameter(name: "ms", kind: .integer(0...10_000), summary: "Milliseconds.")],
        primaryParameter: "ms"
    )

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        try await Task.sleep(for: .milliseconds(context.parameters.integer("ms") ?? 0))
        return TransformOutput(body: input.body, contentType: input.contentType, contentLength: input.contentLength)
    }
}
