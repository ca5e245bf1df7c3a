import RefractCore
import Testing

/// Expects `operation` to fail with a `RefractError` of the same code as `expected`.
func expectError(
    _ expected: RefractError,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> Void
) async {
    do {
        try await operation()
        Issue.record("Expected \(expected.s3Code), got success", sourceLocation: sourceLocation)
    } catch let error as RefractError {
        #expect(
            error.hasSameCode(as: expected),
            "Expected \(expected.s3Code), got \(error)",
            sourceLocation: sourceLocation
        )
    } catch {
        Issue.record("Expected \(expected.s3Code), got \(error)", sourceLocation: sourceLocation)
    }
}
