import NIOCore
import RefractCore

/// The batches of a source body, read from it only as they are asked for: decoded, segmented and gathered.
///
/// The body's buffers are taken `sliceBytes` at a time, so that a large buffer does not turn into many batches
/// at once.
struct BatchStream {
    static let sliceBytes = 64 << 10
    private var input: ObjectBody.AsyncIterator
    /// The part of the last buffer read that is not decoded yet.
    private var unread = ByteBuffer()
    private var decoder: SourceDecoder
    private var segmenter: TextSegmenter
    private var assembler: BatchAssembler
    private var ready: [TranslationBatch] = []
    private var readyIndex = 0
    private var isInputDone = false

    init(input: ObjectBody, decoder: SourceDecoder, segmenter: TextSegmenter, assembler: BatchAssembler) {
        self.input = input.makeAsyncIterator()
        self.decoder = decoder
        self.segmenter = segmenter
        self.assembler = assembler
    }

    /// The next batch, nil after the last.
    mutating func next() async throws -> TranslationBatch? {
        while readyIndex == ready.count {
            guard !isInputDone else { return nil }
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            if unread.readableBytes == 0, let buffer = try await input.next() {
                unread = buffer
            }
            if let slice = unread.readSlice(length: min(unread.readableBytes, Self.sliceBytes)), slice.readableBytes > 0
            {
                gather(segmenter.append(try decoder.decode(slice)))
            } else {
                isInputDone = true
                gather(segmenter.append(try decoder.finish()))
                gather(segmenter.finish())
                if let last = assembler.finish() { ready.append(last) }
            }
        }
        defer { readyIndex += 1 }
        return ready[readyIndex]
    }

    private mutating func gather(_ pieces: [TextPiece]) {
        for piece in pieces {
            if let batch = assembler.add(piece) { ready.append(batch) }
        }
    }
}
