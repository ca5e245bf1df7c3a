public import RefractCore

/// Makes a step's input readable by an http function, as S3 Object Lambda's `inputS3Url` makes the object readable.
///
/// The gateway implements it: the function gets a URL to GET, valid for this one input until the deadline.
public protocol FunctionInputPublisher: Sendable {
    /// A URL serving `input` until `deadline`; `input.sourceRanges` is set while the input is the untouched source.
    func publish(
        _ input: TransformInput,
        context: TransformContext,
        until deadline: ContinuousClock.Instant
    ) throws -> String
}
