import Foundation

/// When a failed request to the service is tried again: answers 429 and 5xx, and requests that got no answer
/// (refused, dropped, timed out), up to `maxAttempts` attempts in all, after an exponential backoff with jitter
/// or the `Retry-After` the service asked for, whichever is longer.
struct RetryPolicy: Sendable {
    var maxAttempts = 5
    /// The backoff after the first attempt; it doubles after each one, up to `maxDelay`.
    var baseDelay: Duration = .milliseconds(100)
    var maxDelay: Duration = .seconds(5)

    /// Whether an answer with `status` is worth trying again.
    static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    /// How long to wait after failed attempt number `attempt` (from 1), nil when it was the last one allowed.
    ///
    /// The backoff is drawn between half and all of the exponential delay ("equal jitter"), so that the requests
    /// of many objects hit by one outage do not come back in step.
    func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let exponential = min(baseDelay * (1 << min(attempt - 1, 20)), maxDelay)
        let backoff = exponential * Double.random(in: 0.5...1)
        return max(backoff, retryAfter ?? .zero)
    }

    /// A `Retry-After` value: seconds, or an HTTP date (RFC 9110 §10.2.3); nil when it is neither.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return .seconds(max(seconds, 0)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(Int(date.timeIntervalSince(now) * 1000), 0))
    }
}
