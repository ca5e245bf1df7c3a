import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The fake LibreTranslate and DeepL of `Tests/translate_fake`, run as a process of its own for one test, on a port
/// the system picks.
struct FakeTranslateServer: Sendable {
    let port: Int

    var url: String { "http://127.0.0.1:\(port)" }

    /// Runs `body` with a server started with `arguments` (`--delay-ms`, `--libre-key`, `--deepl-key`), stopped
    /// afterwards whatever happens.
    static func with<Result>(
        _ arguments: [String] = [],
        _ body: (FakeTranslateServer) async throws -> Result
    ) async throws -> Result {
        let process = try await ServerProcess.start(arguments: arguments)
        let result: Result
        do {
            result = try await body(FakeTranslateServer(port: process.port))
        } catch {
            await process.stop()
            throw error
        }
        await process.stop()
        return result
    }

    /// A fault the server injects into the requests to come (see `POST /_fault`).
    struct Fault: Encodable {
        var kind: String
        var count = 1
        var retryAfter: Int?
        var delayMs: Int?
        var match: String?
        var on: String?
    }

    func inject(_ fault: Fault) async throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try await post("/_fault", body: try encoder.encode(fault))
    }

    func setDelay(milliseconds: Int) async throws {
        try await post("/_config", body: Data("{\"delay_ms\": \(milliseconds)}".utf8))
    }

    /// What the server received (see `GET /_requests`).
    struct RequestLog: Decodable {
        struct Request: Decodable {
            let method: String
            let path: String
            let bytes: Int
            let texts: Int
            let source: String?
            let target: String?
            let format: String?
            let status: Int?
            let fault: String?
            let startMs: Double
            let endMs: Double
        }

        let requests: [Request]
        let maxInFlight: Int

        var translations: [Request] { requests.filter { $0.method == "POST" } }
        var languageLists: [Request] { requests.filter { $0.method == "GET" } }
    }

    func requestLog() async throws -> RequestLog {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: url + "/_requests"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RequestLog.self, from: Data(body.readableBytesView))
    }

    private func post(_ path: String, body: Data) async throws {
        var request = HTTPClientRequest(url: url + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw ServerProcess.Failure(description: "\(path) answered \(response.status): \(String(buffer: answer))")
        }
    }
}

/// The server's process. Starting it (reading the port it prints) and stopping it block, so both run on a Dispatch
/// thread: blocking one of Swift's few cooperative threads would stall every other test.
///
/// `@unchecked Sendable`: `Process` may be terminated and waited for from any thread, and nothing else is shared.
private final class ServerProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("translate_fake/fake_translate_server.py")

    private let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    static func start(arguments: [String]) async throws -> ServerProcess {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try startBlocking(arguments: arguments) })
            }
        }
    }

    private static func startBlocking(arguments: [String]) throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
        }
        let line = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "\(script.path) printed \(line.debugDescription) instead of its port")
        }
        return ServerProcess(process: process, port: port)
    }

    func stop() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.process.terminate()
                self.process.waitUntilExit()
                continuation.resume()
            }
        }
    }
}
