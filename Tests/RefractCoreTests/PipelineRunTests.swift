import NIOCore
import RefractCore
import Testing

@Suite struct PipelineRunTests {
    @Test func streamingStepsPassTheFirstChunkOnBeforeTheSourceIsRead() async throws {
        let gate = Gate()
        let source = GatedChunks(beforeGate: "hello ", afterGate: "world", gate: gate)
        let pipeline = try makeRegistry().pipeline(for: "uppercase!bracket")
        // Had a step (or run) gathered the body, nothing could come while the gate is shut: the watchdog then
        // opens it so that the test fails below instead of hanging.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            gate.open()
        }
        defer { watchdog.cancel() }
        let output = try await pipeline.run(
            TransformInput(body: ObjectBody(source), contentType: "text/plain", contentLength: nil),
            context: makeContext()
        )

        var iterator = output.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(!gate.isOpen, "the first chunk only came once the source had been read to its end")
        #expect(first.map { String(buffer: $0) } == "[HELLO ]")
        gate.open()
        let second = try await iterator.next()
        #expect(second.map { String(buffer: $0) } == "[WORLD]")
        #expect(try await iterator.next() == nil)
    }

    /// The control for the test above: a buffered step in the chain does hold the first chunk back.
    @Test func aBufferedStepWaitsForTheWholeSource() async throws {
        let gate = Gate()
        let source = GatedChunks(beforeGate: "hello ", afterGate: "world", gate: gate)
        let pipeline = try makeRegistry().pipeline(for: "uppercase!reverse!bracket")
        let opener = Task {
            try await Task.sleep(for: .milliseconds(200))
            gate.open()
        }
        defer { opener.cancel() }
        let output = try await pipeline.run(
            TransformInput(body: ObjectBody(source), contentType: "text/plain", contentLength: nil),
            context: makeContext()
        )

        var iterator = output.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(gate.isOpen)
        #expect(first.map { String(buffer: $0) } == "[DLROW OLLEH]")
        #expect(try await iterator.next() == nil)
    }

    @Test func aBufferedStepRefusesASourceOverItsLimit() async throws {
        let pipeline = try makeRegistry(reverseLimit: 8).pipeline(for: "reverse")
        #expect(
            try await chunks(of: pipeline.run(textInput(["abc", "defgh"]), context: makeContext()).body) == ["hgfedcba"]
        )

        // Streamed without a length: refused once the limit is passed.
        let streamed = await #expect(throws: RefractError.self) {
            try await pipeline.run(textInput(["abcd", "efgh", "i"]), context: makeContext())
        }
        #expect(streamed?.s3Code == "SourceTooLarge")
        #expect(streamed?.httpStatus == 413)

        // With a known length: refused before reading.
        let announced = await #expect(throws: RefractError.self) {
            try await pipeline.run(textInput([], contentLength: 9), context: makeContext())
        }
        #expect(announced?.s3Code == "SourceTooLarge")
    }

    @Test func setsEachStepsParametersAndLetsLaterHeadersWin() async throws {
        let pipeline = try makeRegistry().pipeline(for: "resize:w=300,fit=cover!format:auto!quality:70")
        let output = try await pipeline.run(
            TransformInput(body: ObjectBody(Chunks(["jpeg bytes"])), contentType: "image/jpeg", contentLength: 10),
            context: makeContext(requestHeaders: ["accept": "image/webp,*/*"])
        )
        #expect(output.contentType == "image/webp")
        #expect(output.contentLength == 10)
        #expect(output.headers["x-last-step"] == "quality")
        #expect(output.headers["x-resize-parameters"] == "fit=cover,gravity=center,upscale=false,w=300")
        #expect(output.headers["x-format-parameters"] == "type=auto")
        #expect(output.headers["x-quality-parameters"] == "q=70")
        #expect(try await chunks(of: output.body) == ["jpeg bytes"])
    }

    @Test(arguments: [
        ("resize:w=300", "text/plain", "resize does not take text/plain"),
        ("translate:fr", "image/png", "translate does not take image/png"),
        ("translate:fr", "text/csv; charset=utf-8", "translate does not take text/csv"),
        ("exif", "image/gif", "exif does not take image/gif"),
        ("exif!resize:w=10", "image/jpeg", "resize does not take application/json"),
        ("grayscale", "", "grayscale does not take content without a type"),
        ("uppercase", "application/textual", "uppercase does not take application/textual"),
    ])
    func refusesContentAStepDoesNotTake(suffix: String, contentType: String, message: String) async throws {
        let pipeline = try makeRegistry().pipeline(for: suffix)
        let error = await #expect(throws: RefractError.self) {
            try await pipeline.run(textInput(["x"], contentType: contentType), context: makeContext())
        }
        #expect(error?.s3Code == "UnsupportedMediaType")
        #expect(error?.httpStatus == 415)
        #expect(error?.message == message)
    }

    @Test(arguments: [
        ("resize:w=1", "IMAGE/PNG"),
        ("resize:w=1", "image/svg+xml; charset=utf-8"),
        ("exif", " Image/JPEG ;q=1"),
        ("translate:fr", "text/markdown"),
        ("pause:0", "application/octet-stream"),
    ])
    func takesMatchingContentTypes(suffix: String, contentType: String) async throws {
        let pipeline = try makeRegistry().pipeline(for: suffix)
        _ = try await pipeline.run(textInput(["x"], contentType: contentType), context: makeContext())
    }

    @Test func refusesToStartAStepPastTheDeadline() async throws {
        let pipeline = try makeRegistry().pipeline(for: "uppercase")
        let error = await #expect(throws: RefractError.self) {
            try await pipeline.run(textInput(["x"]), context: makeContext(deadline: .now - .milliseconds(1)))
        }
        #expect(error?.s3Code == "TransformTimeout")
        #expect(error?.httpStatus == 504)
    }

    @Test func refusesTheNextStepOnceASlowStepHasPassedTheDeadline() async throws {
        let pipeline = try makeRegistry().pipeline(for: "pause:200!uppercase")
        let error = await #expect(throws: RefractError.self) {
            try await pipeline.run(textInput(["x"]), context: makeContext(deadline: .now + .milliseconds(50)))
        }
        #expect(error?.s3Code == "TransformTimeout")
    }
}
