public import Foundation

/// What became of a job whose attempt failed.
public enum JobFailureDisposition: Sendable, Hashable {
    /// Back to pending, to run again at the given time.
    case retrying(at: Date)
    /// Dead-lettered: its last attempt failed, or the failure was one no retry mends.
    case dead
    /// The worker no longer held the job's lease (it expired and another worker took the job): nothing changed.
    case leaseLost
}
