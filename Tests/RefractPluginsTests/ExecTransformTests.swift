import Foundation
import Logging
import NIOCore
import RefractCore
import RefractPlugins
import RefractTestSupport
import Synchronization
import Testing

/// Runs that succeed: streaming, the CGI header, the event and the environment a plugin gets (its event file
/// removed after the run), its logs.
@Suite struct ExecTransformTests {
    @Test func catPassesTwentyMegabytesThroughWithoutGatheringThem() async throws {
        let transform = execTransform(execManifest("cat.sh"))
        let size = 20 << 20
        let source = PatternBody(size: size, chunkSize: 64 << 10)
        let input = TransformInput(
            body: ObjectBody(source), contentType: "application/octet-stream", contentLength: size)

        let output = try await transform.apply(input, context: execContext())
        #expect(output.status == 200)
        #expect(output.contentType == "application/octet-stream")
        #expect(output.contentLength == nil)

        var received = 0
        var mismatches = 0
        var mostAhead = 0
        for try await buffer in output.body {
            buffer.withUnsafeReadableBytes { bytes in
                for (offset, byte) in bytes.enumerated() where byte != PatternBody.byte(at: received + offset) {
                    mismatches += 1
                }
            }
            received += buffer.readableBytes
            mostAhead = max(mostAhead, source.produced - received)
        }
        #expect(received == size)
        #expect(mismatches == 0)
        // Pipes, cat's buffer and one buffer at each hand-off: far less than the object.
        #expect(mostAhead < 2 << 20)
    }

    @Test func aRelativeCommandRunsInThePluginFolder() async throws {
        let transform = execTransform(execManifest("run.sh", command: ["./run.sh", "one", "two words"]))
        let output = try await transform.apply(textInput("x"), context: execContext())
        let lines = try await collectString(output.body).split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let folder = URL(fileURLWithPath: fixtures).resolvingSymlinksInPath().path
        #expect(URL(fileURLWithPath: lines[0]).resolvingSymlinksInPath().path == folder)
        #expect(lines[1] == "one two words")
    }

    @Test func statusAndClientHeadersComeFromTheCGIHeader() async throws {
        // An absolute program is taken as it is.
        let transform = execTransform(execManifest("status.sh", command: ["/bin/sh", "status.sh"]))
        let output = try await transform.apply(textInput("hello"), context: execContext())
        #expect(output.status == 404)
        #expect(output.contentType == "text/plain; charset=utf-8")
        #expect(
            output.headers == [
                "content-language": "fr",
                "content-disposition": "inline; filename=\"a b.txt\"",
                "cache-control": "max-age=60",
                "x-amz-meta-color": "blue",
            ]
        )
        #expect(try await collectString(output.body) == "not here")
    }

    @Test func aMatchingContentLengthIsKept() async throws {
        let transform = execTransform(execManifest("content-length.sh"))
        let context = execContext(parameters: ["declared": .integer(5), "body": .string("hello")])
        let output = try await transform.apply(textInput("x"), context: context)
        #expect(output.contentLength == 5)
        #expect(try await collectString(output.body) == "hello")
    }

    /// One exits at once, the other lingers while its input pipe is full.
    @Test(arguments: [("status.sh", "not here"), ("ignores-input.sh", "answered without reading")])
    func aPluginThatNeverReadsItsInputStillAnswers(script: String, answer: String) async throws {
        let transform = execTransform(execManifest(script))
        let size = 8 << 20
        let input = TransformInput(
            body: ObjectBody(PatternBody(size: size, chunkSize: 64 << 10)),
            contentType: "application/octet-stream",
            contentLength: size
        )
        let output = try await transform.apply(input, context: execContext())
        #expect(try await collectString(output.body) == answer)
    }

    @Test func theEventFileDescribesTheRequestAndIsRemovedAfterTheRun() async throws {
        let transform = execTransform(execManifest("event.sh"))
        let tricky = "a \"quoted\" \\ line\nnext\ttab déjà 猫 🐈"
        var context = execContext(
            parameters: ["mask": .string(tricky), "width": .integer(300), "ratio": .number(1.5), "on": .boolean(false)]
        )
        context.source = SourceMetadata(
            bucket: "docs",
            key: "folder/\(tricky).txt",
            contentType: "text/plain",
            contentLength: 11,
            etag: "\"etag-1\"",
            lastModified: Date(timeIntervalSince1970: 1_600_000_000),
            userMetadata: ["owner": tricky]
        )
        context.requestHeaders = ["x-note": tricky]
        context.requestURL = "/docs/folder/x.txt!test-plugin:mask=*"
        context.payload = "{\"level\": 2}"
        let before = Date()

        let output = try await transform.apply(textInput("hello world", contentType: "text/csv"), context: context)
        let text = try await collectString(output.body)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])

        #expect(event["requestId"] as? String == "REQ123")
        let eventTransform = try #require(event["transform"] as? [String: Any])
        #expect(eventTransform["name"] as? String == "test-plugin")
        #expect(eventTransform["version"] as? String == "1.2.3")
        let parameters = try #require(eventTransform["parameters"] as? [String: Any])
        #expect(parameters["mask"] as? String == tricky)
        #expect(parameters["width"] as? Int == 300)
        #expect(parameters["ratio"] as? Double == 1.5)
        #expect(parameters["on"] as? Bool == false)
        let source = try #require(event["source"] as? [String: Any])
        #expect(source["bucket"] as? String == "docs")
        #expect(source["key"] as? String == "folder/\(tricky).txt")
        #expect(source["contentType"] as? String == "text/plain")
        #expect(source["size"] as? Int == 11)
        #expect(source["etag"] as? String == "\"etag-1\"")
        #expect(source["lastModified"] as? String == "2020-09-13T12:26:40.000Z")
        #expect(source["metadata"] as? [String: String] == ["owner": tricky])
        let input = try #require(event["input"] as? [String: Any])
        #expect(input["contentType"] as? String == "text/csv")
        #expect(input["size"] as? Int == 11)
        let userRequest = try #require(event["userRequest"] as? [String: Any])
        #expect(userRequest["url"] as? String == "/docs/folder/x.txt!test-plugin:mask=*")
        #expect(userRequest["headers"] as? [String: String] == ["x-note": tricky])
        #expect(event["payload"] as? String == "{\"level\": 2}")
        let deadlineText = try #require(event["deadline"] as? String)
        let deadline = try Date(deadlineText, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(deadline > before && deadline < before.addingTimeInterval(61))
    }

    @Test func theEnvironmentIsSmallAndExplicit() async throws {
        setenv("REFRACT_TEST_SECRET", "hunter2", 1)
        let transform = execTransform(execManifest("environment.sh"))
        let context = execContext(parameters: [
            "mask": .string("*"), "max-width": .integer(640), "fast": .boolean(true),
        ])
        let output = try await transform.apply(textInput("hello", contentType: "text/markdown"), context: context)
        let text = try await collectString(output.body)
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }

        #expect(environment["REFRACT_PARAM_MASK"] == "*")
        #expect(environment["REFRACT_PARAM_MAX_WIDTH"] == "640")
        #expect(environment["REFRACT_PARAM_FAST"] == "true")
        #expect(environment["REFRACT_REQUEST_ID"] == "REQ123")
        #expect(environment["CONTENT_TYPE"] == "text/markdown")
        #expect(environment["CONTENT_LENGTH"] == "5")
        #expect(environment["PATH"] == ProcessInfo.processInfo.environment["PATH"])
        #expect(environment["HOME"] == ProcessInfo.processInfo.environment["HOME"])
        let eventPath = try #require(environment["REFRACT_EVENT"])
        #expect(eventPath.hasSuffix(".json"))
        #expect(environment["REFRACT_TEST_SECRET"] == nil)
        // What the shell adds itself (PWD, SHLVL, _) aside, nothing comes from the gateway's environment.
        let expected: Set = [
            "PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "REFRACT_EVENT", "REFRACT_REQUEST_ID", "CONTENT_TYPE",
            "CONTENT_LENGTH", "REFRACT_PARAM_MASK", "REFRACT_PARAM_MAX_WIDTH", "REFRACT_PARAM_FAST", "PWD", "OLDPWD",
            "SHLVL", "_",
        ]
        #expect(Set(environment.keys).subtracting(expected).isEmpty)
        #expect(await eventually { !FileManager.default.fileExists(atPath: eventPath) })
    }

    @Test func standardErrorLinesAreLoggedWithThePluginName() async throws {
        let recorder = LogRecorder()
        let transform = execTransform(execManifest("stderr.sh"))
        let output = try await transform.apply(textInput("x"), context: execContext(logger: recorder.logger()))
        #expect(try await collectString(output.body) == "ok")

        let lines = recorder.records.filter { $0.level == .notice && $0.metadata["plugin"] == "test-plugin" }
        #expect(lines.map(\.message.count) == [10, 11, 4096, 21])
        #expect(
            lines.map { String($0.message.prefix(12)) } == [
                "first line", "second line", "xxxxxxxxxxxx", "no newline a",
            ])
    }
}

/// A body of `size` bytes of a known pattern, made a chunk at a time as it is pulled; counts what it made.
struct PatternBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let size: Int
    let chunkSize: Int
    private let producedBytes = SharedCounter()

    init(size: Int, chunkSize: Int) {
        self.size = size
        self.chunkSize = chunkSize
    }

    /// The bytes handed out so far.
    var produced: Int { producedBytes.value }

    static func byte(at offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: offset % 251)
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: self)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: PatternBody
        var offset = 0

        mutating func next() async throws -> ByteBuffer? {
            guard offset < body.size else { return nil }
            let count = Swift.min(body.chunkSize, body.size - offset)
            var buffer = ByteBuffer()
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                for index in 0..<count {
                    bytes[index] = PatternBody.byte(at: offset + index)
                }
                return count
            }
            offset += count
            body.producedBytes.add(count)
            return buffer
        }
    }
}

final class SharedCounter: Sendable {
    private let count = Atomic(0)

    var value: Int { count.load(ordering: .relaxed) }

    func add(_ amount: Int) {
        count.add(amount, ordering: .relaxed)
    }
}
