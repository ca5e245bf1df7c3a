import Logging
import NIOCore

/// Everything the requests for one translated object share.
struct TranslationJob: Sendable {
    let client: TranslationClient
    let envelope: RequestEnvelope
    /// The most bytes the texts of one request may take as JSON array elements, commas included.
    let textBudget: Int
    /// The most texts in one request.
    let maxTexts: Int
    /// The most requests in flight.
    let concurrency: Int
    let deadline: ContinuousClock.Instant
    let logger: Logger

    /// The output of `batch`, its texts translated by one request.
    func translate(_ batch: TranslationBatch) async throws -> ByteBuffer {
        let translations = try await client.translate(
            batch.texts,
            envelope: envelope,
            deadline: deadline,
            logger: logger
        )
        return batch.output(translations: translations)
    }
}
