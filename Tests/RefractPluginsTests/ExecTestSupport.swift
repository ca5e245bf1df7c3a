import Foundation
import Logging
import NIOCore
import RefractCore
import RefractPlugins
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder of the test plugins' scripts.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// A manifest running `script` of the fixtures with `sh` (found through `PATH`).
func execManifest(
    _ script: String,
    command: [String]? = nil,
    timeout: Duration = .seconds(60),
    concurrency: Int = 4,
    queueLimit: Int = 4,
    maxOutputBytes: Int = 1 << 30
) -> PluginManifest {
    PluginManifest(
        descriptor: TransformDescriptor(name: "test-plugin", version: "1.2.3", summary: "A plugin of the tests"),
        runtime: .exec(command: command ?? ["sh", script]),
        timeout: timeout,
        concurrency: concurrency,
        queueLimit: queueLimit,
        maxOutputBytes: maxOutputBytes,
        directory: fixtures
    )
}

func execTransform(_ manifest: PluginManifest) -> ExecTransform {
    ExecTransform(manifest: manifest, logger: Logger(label: "exec-tests", factory: { _ in SwiftLogNoOpLogHandler() }))
}

let testSource = SourceMetadata(
    bucket: "photos",
    key: "notes/today.txt",
    contentType: "text/plain",
    contentLength: 5,
    etag: "\"abc123\"",
    lastModified: nil
)

func execContext(
    parameters: [String: ParameterValue] = [:],
    deadline: Duration = .seconds(60),
    logger: Logger = Logger(label: "exec-tests", factory: { _ in SwiftLogNoOpLogHandler() })
) -> TransformContext {
    TransformContext(
        requestID: "REQ123",
        deadline: .now + deadline,
        logger: logger,
        parameters: TransformParameters(parameters),
        source: testSource
    )
}

func textInput(_ text: String, contentType: String = "text/plain") -> TransformInput {
    TransformInput(
        body: ObjectBody(buffer: ByteBuffer(string: text)), contentType: contentType, contentLength: text.utf8.count)
}

func collectString(_ body: ObjectBody) async throws -> String {
    String(buffer: try await body.collect(upTo: 64 << 20, tooLarge: .internalError()))
}

/// A unique path in the temporary folder, for files the plugins write.
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("refract-exec-\(UUID().uuidString)-\(name)").path
}

/// Removes a file a test made, when the plugin did make it.
func removeTemporaryFile(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Polls `condition` until it holds, for at most `limit`; whether it came to hold.
func eventually(within limit: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The pids a plugin wrote to `path` on one line, once it has.
func recordedPIDs(_ path: String) async throws -> [pid_t] {
    var pids: [pid_t] = []
    let written = await eventually {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return false }
        pids = text.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        return !pids.isEmpty
    }
    try #require(written, "The plugin never wrote its pids to \(path)")
    return pids
}

/// Whether process `pid` is gone: not running, and not a zombie left for the test process to reap.
///
/// A zombie whose parent is another process (init, for a plugin's orphaned child) is not ours to reap.
func processIsGone(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let commandEnd = stat.range(of: ")", options: .backwards)
    else { return true }
    let fields = stat[commandEnd.upperBound...].split(separator: " ")
    guard fields.count > 1 else { return true }
    return fields[0] == "Z" && pid_t(fields[1]) != getpid()
}

/// Whether no process is left in the process group `pgid`.
func processGroupIsGone(_ pgid: pid_t) -> Bool {
    kill(-pgid, 0) == -1 && errno == ESRCH
}
