public import RefractCore

/// An upload's body that checks itself as it is read, and the checksums it reports once read.
public struct VerifiedPayload: Sendable {
    /// The decoded payload. It throws instead of ending when anything did not match, so a store that consumes it
    /// stores nothing.
    public let body: ObjectBody
    /// Filled when `body` has been read to its end and every check passed.
    public let checksums: PayloadChecksums
    /// The decoded payload's length, when the client declared it.
    public let contentLength: Int?
}
