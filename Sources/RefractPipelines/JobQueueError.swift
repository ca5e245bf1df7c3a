/// A queue operation that cannot be done, or a queue that cannot be opened.
public struct JobQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    static func noSuchJob(_ id: Int64) -> JobQueueError {
        JobQueueError("There is no job \(id).")
    }

    static func notDead(_ id: Int64, state: JobState) -> JobQueueError {
        JobQueueError("Job \(id) is \(state.rawValue), not dead: only dead jobs are retried.")
    }
}
