import NIOCore
import RefractCore

/// The translated text of a source body, streamed in order as its batches come back from the service.
///
/// Pulled by its consumer: each `next()` reads on in the source until `concurrency` batches are being translated
/// (or twice that many are waiting, counting those that needed no request), then waits for the oldest and hands
/// it out. So at most `concurrency` requests are in flight, a batch is written as soon as it and all before it
/// are done, and a consumer that stops pulling stops the reading and the requests: memory stays bounded by the
/// batches waiting, whatever the source's size. Dropping the iterator cancels the requests in flight.
///
/// A failure ends the body with the error, after cancelling the requests still in flight.
struct TranslatedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let source: ObjectBody
    let encoding: SourceEncoding
    let format: TextFormat
    let job: TranslationJob

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(
            batches: BatchStream(
                input: source,
                decoder: SourceDecoder(encoding: encoding),
                segmenter: TextSegmenter(format: format, pieceBudget: job.textBudget),
                assembler: BatchAssembler(textBudget: job.textBudget, maxTexts: job.maxTexts)
            ),
            job: job
        )
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        private var batches: BatchStream
        private let job: TranslationJob
        private let window = TranslationWindow()
        private var isDone = false

        init(batches: BatchStream, job: TranslationJob) {
            self.batches = batches
            self.job = job
        }

        mutating func next() async throws -> ByteBuffer? {
            guard !isDone else { return nil }
            do {
                while window.translatingCount < job.concurrency, window.count < 2 * job.concurrency,
                    let batch = try await batches.next()
                {
                    window.append(batch, job: job)
                }
                guard let buffer = try await window.takeFirst() else {
                    isDone = true
                    return nil
                }
                return buffer
            } catch {
                isDone = true
                window.cancelAll()
                throw error
            }
        }
    }
}

/// The batches handed to the service and not yet handed out, oldest first.
///
/// A class so that dropping the iterator that owns it cancels what is still in flight.
private final class TranslationWindow {
    private enum Slot {
        /// A batch with nothing to translate.
        case ready(ByteBuffer)
        case translating(Task<ByteBuffer, any Error>)
    }

    private var slots: [Slot] = []

    var count: Int { slots.count }

    var translatingCount: Int {
        slots.count(where: {
            if case .translating = $0 { return true }
            return false
        })
    }

    func append(_ batch: TranslationBatch, job: TranslationJob) {
        if batch.texts.isEmpty {
            slots.append(.ready(batch.output(translations: [])))
        } else {
            slots.append(.translating(Task { try await job.translate(batch) }))
        }
    }

    /// The output of the oldest batch, once translated; nil when there is none.
    func takeFirst() async throws -> ByteBuffer? {
        guard !slots.isEmpty else { return nil }
        switch slots.removeFirst() {
        case .ready(let buffer):
            return buffer
        case .translating(let task):
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        }
    }

    func cancelAll() {
        for case .translating(let task) in slots {
            task.cancel()
        }
        slots.removeAll()
    }

    deinit {
        cancelAll()
    }
}
