import Foundation
public import PostgresNIO

/// Where a PostgreSQL queue is, as a `postgres://user:password@host:port/database?sslmode=...` URL says.
///
/// As with libpq: the port defaults to 5432, the database to the user's name, and `sslmode` to `prefer`.
/// `disable` never uses TLS, `prefer` uses it when the server offers it and `require` insists on it, neither
/// checking the certificate; `verify-ca` checks the certificate and `verify-full` the host name too. A `host`
/// query parameter that is a folder (`?host=/var/run/postgresql`) connects to the server's Unix socket there.
public struct PostgresLocation: Sendable, Equatable {
    /// How TLS is used (`sslmode`).
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// The Unix socket to connect to instead of `host` and `port`.
    public var unixSocketPath: String?

    /// Reads a `postgres://` or `postgresql://` URL.
    public init(url text: String) throws(JobQueueError) {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw JobQueueError(
                "Expected a postgres://user:password@host:port/database URL, got \"\(Self.redacted(text))\".")
        }
        guard let username = components.percentEncodedUser?.removingPercentEncoding, !username.isEmpty else {
            throw JobQueueError("The PostgreSQL URL \"\(Self.redacted(text))\" names no user.")
        }
        self.username = username
        password = components.percentEncodedPassword?.removingPercentEncoding
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        let path = components.percentEncodedPath.dropFirst(components.percentEncodedPath.hasPrefix("/") ? 1 : 0)
        database = path.isEmpty ? username : (path.removingPercentEncoding ?? String(path))
        tlsMode = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw JobQueueError("sslmode must be one of \(modes), got \"\(item.value ?? "")\".")
                }
                tlsMode = mode
            case "host":
                if let folder = item.value, folder.hasPrefix("/") { unixSocketPath = "\(folder)/.s.PGSQL.\(port)" }
            default:
                throw JobQueueError("Unknown PostgreSQL URL parameter \"\(item.name)\" (expected sslmode or host).")
            }
        }
    }

    /// The client configuration that connects there.
    public var clientConfiguration: PostgresClient.Configuration {
        if let unixSocketPath {
            return PostgresClient.Configuration(
                unixSocketPath: unixSocketPath, username: username, password: password, database: database)
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        let mode: PostgresClient.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(tls)
            case .require, .verifyCA, .verifyFull: .require(tls)
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: mode)
    }

    /// `text` with the password replaced by `***`, for messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
