/// How a job that is done finished.
public enum JobOutcome: String, Sendable, Hashable, CaseIterable {
    /// The outputs were written (put) or removed (delete).
    case done
    /// A newer event of the object made the job pointless: the object changed or went away, or a newer event
    /// arrived before the job ran. Nothing was written.
    case superseded
    /// The source is itself a pipeline output (it carries `refract-source`): nothing was written.
    case skipped
}
