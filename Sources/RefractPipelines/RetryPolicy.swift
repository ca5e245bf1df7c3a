/// How a failed job is retried before it is dead-lettered.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; at least 1.
    public var maxAttempts: Int
    /// The wait before the second attempt; it doubles with every further attempt.
    public var backoff: Duration
    /// The longest wait between two attempts.
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 5, backoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(300)) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
        self.maxBackoff = max(backoff, maxBackoff)
    }

    /// The wait after failed attempt number `attempt` (1 for the first): `backoff * 2^(attempt-1)`, at most
    /// `maxBackoff`.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = backoff
        for _ in 1..<max(1, attempt) {
            guard delay < maxBackoff else { break }
            delay *= 2
        }
        return min(delay, maxBackoff)
    }
}
