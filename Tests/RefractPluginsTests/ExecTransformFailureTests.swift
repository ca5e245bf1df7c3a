import Foundation
import NIOCore
import RefractCore
import RefractPlugins
import Testing

/// Plugins that fail: before their response, after it began, with a malformed response, with too much of it.
@Suite struct ExecTransformFailureTests {
    /// The error `apply` throws, or nil.
    private func applyError(
        _ manifest: PluginManifest,
        parameters: [String: ParameterValue] = [:]
    ) async -> RefractError? {
        do {
            let transform = execTransform(manifest)
            _ = try await transform.apply(textInput("hello"), context: execContext(parameters: parameters))
            return nil
        } catch {
            return error as? RefractError
        }
    }

    @Test func aCrashBeforeTheResponseIsTransformFailedWithItsStatusAndLastErrorLine() async throws {
        let error = try #require(await applyError(execManifest("crash-before-output.sh")))
        #expect(error.s3Code == "TransformFailed")
        #expect(error.httpStatus == 502)
        #expect(
            error.message
                == "The plugin test-plugin exited with status 3 before its CGI response header; its last error line: 'boom: it broke'."
        )
    }

    @Test func deathBySignalBeforeTheResponseIsTransformFailed() async throws {
        let error = try #require(await applyError(execManifest("killed-before-output.sh")))
        #expect(error.s3Code == "TransformFailed")
        #expect(error.message == "The plugin test-plugin was killed by signal 9 before its CGI response header.")
    }

    @Test func exitingWithoutAnyOutputIsTransformFailed() async throws {
        let error = try #require(await applyError(execManifest("silent.sh")))
        #expect(error == .transformFailed("The plugin test-plugin wrote no CGI response."))
    }

    @Test(arguments: [
        ("no-colon", "a header line without a colon, 'this line has no colon'"),
        ("no-content-type", "no Content-Type header"),
        ("bad-status", "a Status that is not a code from 200 to 599, 'OK'"),
        ("huge", "a header section over 16384 bytes"),
        ("unfinished", "output that ends in its header section"),
    ])
    func aMalformedHeaderSectionIsTransformFailed(malformation: String, reason: String) async throws {
        let error = try #require(
            await applyError(execManifest("malformed.sh"), parameters: ["case": .string(malformation)])
        )
        #expect(error == .transformFailed("The plugin test-plugin answered a malformed CGI response: \(reason)."))
    }

    @Test func aCrashAfterTheBodyBeganFailsTheBody() async throws {
        let transform = execTransform(execManifest("crash-after-body.sh"))
        let output = try await transform.apply(textInput("hello"), context: execContext())
        #expect(output.status == 200)
        var received = ""
        let error = await #expect(throws: RefractError.self) {
            for try await buffer in output.body {
                received += String(buffer: buffer)
            }
        }
        #expect(received == "partial")
        #expect(
            error?.message
                == "The plugin test-plugin exited with status 4 after its response began; its last error line: 'lost the thread'."
        )
        #expect(error?.s3Code == "TransformFailed")
    }

    @Test(arguments: [(10, "hello", 5), (2, "hello", 5)])
    func aBodyOtherThanItsContentLengthFails(declared: Int, body: String, written: Int) async throws {
        let transform = execTransform(execManifest("content-length.sh"))
        let context = execContext(parameters: ["declared": .integer(declared), "body": .string(body)])
        let output = try await transform.apply(textInput("x"), context: context)
        #expect(output.contentLength == declared)
        let error = await #expect(throws: RefractError.self) {
            _ = try await collectString(output.body)
        }
        #expect(error?.s3Code == "TransformFailed")
        #expect(error?.message.contains("Content-Length") == true)
    }

    @Test func outputOverTheLimitFailsTheBodyAndKillsThePlugin() async throws {
        let pidFile = temporaryPath("pid")
        defer { removeTemporaryFile(pidFile) }
        let transform = execTransform(execManifest("endless.sh", maxOutputBytes: 1 << 20))
        let output = try await transform.apply(
            textInput("x"),
            context: execContext(parameters: ["pidfile": .string(pidFile)])
        )
        var received = 0
        await #expect(
            throws: RefractError.transformFailed("The plugin test-plugin wrote more than its limit of 1048576 bytes.")
        ) {
            for try await buffer in output.body {
                received += buffer.readableBytes
            }
        }
        #expect(received <= 1 << 20)
        let pid = try #require(try await recordedPIDs(pidFile).first)
        #expect(await eventually { processGroupIsGone(pid) && processIsGone(pid) })
        #expect(await eventually { transform.slots.runningCount == 0 })
    }

    @Test func aFailingInputStopsThePluginWithTheInputsError() async throws {
        let transform = execTransform(execManifest("cat.sh"))
        let input = TransformInput(
            body: ObjectBody(FailingBody(goodBytes: 1 << 20, error: .serviceUnavailable())),
            contentType: "application/octet-stream",
            contentLength: 2 << 20
        )
        // The plugin may not even have answered its header when the input fails.
        await #expect(throws: RefractError.serviceUnavailable()) {
            let output = try await transform.apply(input, context: execContext())
            _ = try await output.body.collect(upTo: 4 << 20, tooLarge: .internalError())
        }
        #expect(await eventually { transform.slots.runningCount == 0 })
    }

    @Test func aMissingProgramIsTransformFailed() async throws {
        let error = try #require(await applyError(execManifest("", command: ["./no-such-program"])))
        #expect(error == .transformFailed("The plugin test-plugin could not be run."))
    }
}

/// A body that yields `goodBytes` bytes, then fails.
struct FailingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let goodBytes: Int
    let error: RefractError

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: goodBytes, error: error)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: Int
        let error: RefractError

        mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0 else { throw error }
            let count = Swift.min(remaining, 64 << 10)
            remaining -= count
            return ByteBuffer(repeating: UInt8(ascii: "a"), count: count)
        }
    }
}
