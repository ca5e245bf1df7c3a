import NIOCore
import RefractCore

/// Upper-cases text buffer by buffer: a streaming transform, never holding more than one buffer.
struct UppercaseTransform: Transform {
    var descriptor: TransformDescriptor {
        TransformDescriptor(
            name: "upper",
            version: "1",
            summary: "Upper-cases ASCII text as it streams.",
            accepts: ["text/*"]
        )
    }

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        TransformOutput(
            body: ObjectBody(UppercasedBody(base: input.body)),
            contentType: input.contentType,
            contentLength: input.contentLength,
            headers: ["content-language": "en"]
        )
    }

    private struct UppercasedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: ObjectBody

        func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

        struct Iterator: AsyncIteratorProtocol {
            var base: ObjectBody.AsyncIterator

            mutating func next() async throws -> ByteBuffer? {
                guard let buffer = try await base.next() else { return nil }
                return ByteBuffer(bytes: buffer.readableBytesView.map { (97...122).contains($0) ? $0 - 32 : $0 })
            }
        }
    }
}

/// Repeats the whole text `times` times: a buffered transform with a parameter.
struct RepeatTransform: BufferedTransform {
    var maxInputBytes: Int { 1 << 20 }

    var descriptor: TransformDescriptor {
        TransformDescriptor(
            name: "repeat",
            version: "2",
            summary: "Repeats the text.",
            parameters: [
                TransformParameter(name: "times", kind: .integer(1...10), defaultValue: .integer(2), summary: "Copies.")
            ],
            primaryParameter: "times",
            accepts: ["text/plain"]
        )
    }

    func apply(buffer: ByteBuffer, contentType: String, context: TransformContext) async throws -> TransformOutput {
        var output = ByteBuffer()
        for _ in 0..<(context.parameters.integer("times") ?? 2) {
            var copy = buffer
            output.writeBuffer(&copy)
        }
        return TransformOutput(
            body: ObjectBody(buffer: output), contentType: contentType, contentLength: output.readableBytes)
    }
}

/// Fails on its first output buffer, as a transform that finds the source corrupt does.
struct CorruptSourceTransform: Transform {
    var descriptor: TransformDescriptor {
        TransformDescriptor(name: "corrupt", version: "1", summary: "Always finds the source corrupt.")
    }

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        TransformOutput(body: ObjectBody(FailingBody()), contentType: "application/octet-stream")
    }

    private struct FailingBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer

        func makeAsyncIterator() -> Iterator { Iterator() }

        struct Iterator: AsyncIteratorProtocol {
            mutating func next() async throws -> ByteBuffer? {
                throw RefractError.unprocessableSource("The source is not a valid document.")
            }
        }
    }
}

/// Answers with what the context says of the request: the access point's payload and the source's bucket and key.
struct PayloadEchoTransform: BufferedTransform {
    var maxInputBytes: Int { 1 << 20 }

    var descriptor: TransformDescriptor {
        TransformDescriptor(name: "echo", version: "1", summary: "Writes the payload and the source's name.")
    }

    func apply(buffer: ByteBuffer, contentType: String, context: TransformContext) async throws -> TransformOutput {
        let text = "\(context.payload ?? "no payload") \(context.source.bucket)/\(context.source.key)"
        return TransformOutput(body: ObjectBody(buffer: ByteBuffer(string: text)), contentType: "text/plain")
    }
}
