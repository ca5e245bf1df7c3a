import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RefractCore
import RefractTestSupport

@testable import RefractStorage

#if canImport(Glibc)
import Glibc
#endif

/// A real S3-compatible server for the S3 store's tests: `moto_server` (PyPI's `moto[server]`) on a free loopback
/// port, stopped with ``stop()``.
final class MotoServer: Sendable {
    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// Starts moto and waits until it answers.
    static func start() async throws -> MotoServer {
        let port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, process: process)
        let probe = try server.store(pathStyle: true)
        var answered = false
        for _ in 0..<150 where !answered {
            answered = (try? await probe.checkReady()) != nil
            if !answered { try await Task.sleep(for: .milliseconds(100)) }
        }
        try await probe.shutdown()
        guard answered else {
            await server.stop()
            throw MotoFailure(description: "moto_server did not answer on port \(port) within 15 s")
        }
        return server
    }

    /// A store reaching this server; with `pathStyle` false, at `http://s3.refract.test:PORT`, whose bucket host
    /// names are resolved to loopback.
    func store(pathStyle: Bool, buckets: [String] = []) throws -> S3Store {
        let host = pathStyle ? "127.0.0.1" : "s3.refract.test"
        var dnsOverride = [host: "127.0.0.1"]
        for bucket in buckets { dnsOverride["\(bucket).\(host)"] = "127.0.0.1" }
        let settings = try S3StoreSettings(
            endpoint: "http://\(host):\(port)",
            region: "us-east-1",
            credentials: SigV4Credentials(accessKeyID: "moto", secretAccessKey: "moto-secret"),
            pathStyle: pathStyle,
            connectTimeout: .seconds(2),
            readTimeout: .seconds(10)
        )
        return S3Store(name: "moto", settings: settings, logger: Logger(label: "test"), dnsOverride: dnsOverride)
    }

    /// Creates `bucket` with a CreateBucket request through `store`.
    func createBucket(_ bucket: String, through store: S3Store) async throws {
        let response = try await store.send(S3Request(method: .PUT, bucket: bucket), missing: .noSuchBucket())
        try await S3Store.drain(response)
    }

    func stop() async {
        let process = self.process
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                // moto_server keeps serving through SIGTERM.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

}

struct MotoFailure: Error, CustomStringConvertible {
    let description: String
}
