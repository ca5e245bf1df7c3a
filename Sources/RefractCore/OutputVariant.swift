/// What a request header decides about a step's output beyond its parameters and its source.
///
/// `format:auto` answers WebP to a client whose `Accept` names `image/webp` and JPEG to one that does not: its
/// variant is the format chosen, found from the header alone. The variant is part of the ETag (so the two answers
/// never share one) and names the header for `Vary`.
public struct OutputVariant: Sendable, Hashable {
    /// The request header the output depends on, lower-cased (`accept`).
    public var requestHeader: String
    /// What that header selected (`webp`).
    public var value: String

    public init(requestHeader: String, value: String) {
        self.requestHeader = requestHeader
        self.value = value
    }
}
