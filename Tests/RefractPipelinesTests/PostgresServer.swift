import Foundation
import RefractTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL server for the tests: Debian's PostgreSQL 15 (`/usr/lib/postgresql/15/bin`), its data and
/// Unix socket in a temporary folder, listening on a free loopback port, started with ``start()`` and removed with
/// ``stop()``.
///
/// `initdb` and `postgres` refuse to run as root: as root, they run as the `postgres` user (through `setpriv`, which
/// becomes the program rather than waiting for it), and that user owns the folder. The server is the test process's
/// own child, not a daemon `pg_ctl` leaves behind: Foundation's `Process` notices a child's end by a descriptor the
/// child inherits, which a daemon would keep open. Durability is off (`fsync=off`): these tests measure the queue's
/// logic, not the disk.
final class PostgresServer: Sendable {
    static let binaries = "/usr/lib/postgresql/15/bin"
    static let user = "refract"

    /// The server the suite's ``PostgresServerTrait`` started, for the tests inside it.
    @TaskLocal static var current: PostgresServer?

    let folder: String
    let port: Int
    private let server = Mutex<Process?>(nil)
    private let databaseCounter = Mutex(0)

    private init(folder: String, port: Int) {
        self.folder = folder
        self.port = port
    }

    var dataFolder: String { folder + "/data" }

    /// The URL of a database of this server.
    func url(database: String) -> String {
        "postgres://\(Self.user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Initializes a cluster in a fresh folder, starts the server and waits until it takes connections; stops it
    /// again if it does not come up.
    static func start() async throws -> PostgresServer {
        let folder = FileManager.default.temporaryDirectory.path + "/refract-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let server = PostgresServer(folder: folder, port: try freeLoopbackPort())
        do {
            if getuid() == 0 {
                guard let account = getpwnam("postgres") else {
                    throw PostgresServerFailure("running as root, and there is no postgres user to run PostgreSQL as")
                }
                guard chown(folder, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                    throw PostgresServerFailure("cannot give \(folder) to the postgres user")
                }
            }
            try await server.runTool(
                "initdb", "-D", server.dataFolder, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync",
                "--no-instructions")
            try server.launch()
            try await server.waitUntilReady()
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Stops the server (a fast shutdown: sessions are ended) and removes its folder.
    func stop() async {
        if let process = server.withLock({ $0.take() }), process.isRunning {
            kill(process.processIdentifier, SIGINT)
            await Task.detached { process.waitUntilExit() }.value
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Creates a new, empty database; its name.
    func createDatabase() async throws -> String {
        let number = databaseCounter.withLock { counter in
            counter += 1
            return counter
        }
        let name = "test_\(number)"
        try await runTool("createdb", "-h", "127.0.0.1", "-p", String(port), "-U", Self.user, name)
        return name
    }

    private var logPath: String { folder + "/server.log" }

    /// Starts `postgres` as a child of this process, its output in `server.log`.
    private func launch() throws {
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else { throw PostgresServerFailure("cannot create \(logPath)") }
        let process = Self.process(
            "postgres", "-D", dataFolder, "-h", "127.0.0.1", "-p", String(port), "-k", folder, "-c", "fsync=off", "-c",
            "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        server.withLock { $0 = process }
    }

    /// Waits, at most 60 s, until the server takes connections.
    private func waitUntilReady() async throws {
        for _ in 0..<600 {
            guard server.withLock({ $0?.isRunning }) == true else {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw PostgresServerFailure("postgres stopped while starting: \(log)")
            }
            if (try? await runTool("pg_isready", "-h", "127.0.0.1", "-p", String(port), "-U", Self.user)) != nil {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PostgresServerFailure("postgres did not take connections on port \(port) within 60 s")
    }

    /// A process running one of PostgreSQL's programs, as the postgres user when root.
    private static func process(_ tool: String, _ arguments: String...) -> Process {
        process(tool, arguments)
    }

    private static func process(_ tool: String, _ arguments: [String]) -> Process {
        let process = Process()
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", binaries + "/" + tool] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binaries + "/" + tool)
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        return process
    }

    /// Runs one of PostgreSQL's programs to its end; throws with its output when it fails.
    private func runTool(_ tool: String, _ arguments: String...) async throws {
        let output = Pipe()
        let process = Self.process(tool, arguments)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Read before waiting: a full pipe would otherwise block the tool.
        let text = await Task.detached {
            String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }.value
        await Task.detached { process.waitUntilExit() }.value
        guard process.terminationStatus == 0 else {
            throw PostgresServerFailure("\(tool) failed (\(process.terminationStatus)): \(text)")
        }
    }

}

struct PostgresServerFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Starts a ``PostgresServer`` for a suite, shared by its tests (each makes its own database), and stops it when
/// the suite ends, whether its tests passed or not.
struct PostgresServerTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await PostgresServer.start()
        do {
            try await PostgresServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == PostgresServerTrait {
    /// A private PostgreSQL server for the suite's tests, as ``PostgresServer/current``.
    static var postgresServer: Self { Self() }
}
