import RefractCore

/// Why a job's attempt failed, and whether another attempt could go otherwise.
struct JobRunError: Error, Sendable, CustomStringConvertible {
    var message: String
    /// False for failures that would happen the same way again (a bad configuration, a source the pipeline does
    /// not take): the job is dead-lettered at once rather than retried.
    var isRetryable: Bool

    var description: String { message }

    /// `error` as a job failure: a `RefractError` a client would see as a 4xx is not retryable (the same source
    /// fails the same way), a 5xx or any other error is.
    init(_ error: any Error, context: String) {
        if let error = error as? JobRunError {
            self = error
        } else if let error = error as? RefractError {
            message = "\(context): \(error.s3Code): \(error.message)"
            isRetryable = error.httpStatus >= 500
        } else {
            message = "\(context): \(error)"
            isRetryable = true
        }
    }

    init(message: String, isRetryable: Bool) {
        self.message = message
        self.isRetryable = isRetryable
    }
}
