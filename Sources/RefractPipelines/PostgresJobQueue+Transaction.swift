import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    /// Runs `body` in a transaction, again (up to three times in all) when PostgreSQL ends it for a deadlock or a
    /// serialization failure. A `JobQueueError` `body` throws is thrown as is; PostgreSQL's errors become
    /// `JobQueueError`s saying what PostgreSQL said.
    func transaction<Result: Sendable>(
        _ body: @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(connection)
                }
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
                guard attempt < 3, Self.isTransient(cause) else { throw Self.queueError(cause) }
                attempt += 1
            } catch {
                throw Self.queueError(error)
            }
        }
    }

    /// Runs `body`, PostgreSQL's errors becoming `JobQueueError`s that say what went wrong (`PSQLError` describes
    /// itself vaguely, so that logs do not leak queries).
    func describingErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw Self.queueError(error)
        }
    }

    private static func queueError(_ error: any Error) -> any Error {
        if error is JobQueueError || error is CancellationError { return error }
        return JobQueueError("PostgreSQL: \(describe(error))")
    }

    /// Deadlock detected (40P01) or serialization failure (40001): a transaction worth running again.
    private static func isTransient(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// What PostgreSQL said, or the error's own description.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            return describe(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
