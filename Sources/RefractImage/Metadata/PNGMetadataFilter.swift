import NIOCore

/// The PNG half of ``MetadataStripper``, which starts after the signature: chunk headers are read, then each chunk
/// is copied or skipped by its length, so a chunk of any size streams through.
struct PNGMetadataFilter {
    private enum State {
        case chunkHeader
        case copy(remaining: Int, isLast: Bool)
        case skip(remaining: Int)
        case passThrough
        case trailer
    }

    private static let droppedChunks: Set<String> = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]

    private let keepsICCProfile: Bool
    private var state = State.chunkHeader
    /// A chunk header (length and type) read but not yet kept or dropped.
    private(set) var heldBytes: [UInt8] = []

    init(keepsICCProfile: Bool) {
        self.keepsICCProfile = keepsICCProfile
    }

    /// Whether IEND has passed: the rest of the stream is dropped.
    var isFinished: Bool {
        if case .trailer = state { return true }
        return false
    }

    mutating func process(_ input: inout ByteBuffer, into output: inout StrippedOutput) {
        while input.readableBytes > 0 {
            switch state {
            case .chunkHeader:
                let wanted = min(8 - heldBytes.count, input.readableBytes)
                heldBytes += input.readBytes(length: wanted)!
                guard heldBytes.count == 8 else { return }
                startChunk(into: &output)
            case .copy(let remaining, let isLast):
                let count = min(remaining, input.readableBytes)
                output.append(input.readSlice(length: count)!)
                if remaining > count {
                    state = .copy(remaining: remaining - count, isLast: isLast)
                } else {
                    state = isLast ? .trailer : .chunkHeader
                }
            case .skip(let remaining):
                let count = min(remaining, input.readableBytes)
                input.moveReaderIndex(forwardBy: count)
                state = remaining > count ? .skip(remaining: remaining - count) : .chunkHeader
            case .passThrough:
                output.append(input.readSlice(length: input.readableBytes)!)
            case .trailer:
                input.moveReaderIndex(forwardBy: input.readableBytes)
            }
        }
    }

    private mutating func startChunk(into output: inout StrippedOutput) {
        let length = heldBytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        let type = String(decoding: heldBytes[4..<8], as: UTF8.self)
        defer { heldBytes = [] }
        guard length <= 0x7FFF_FFFF else {
            output.append(heldBytes)
            state = .passThrough
            return
        }
        // The chunk's data and its 4-byte CRC.
        let remaining = length + 4
        if Self.droppedChunks.contains(type) || (type == "iCCP" && !keepsICCProfile) {
            state = .skip(remaining: remaining)
        } else {
            output.append(heldBytes)
            state = .copy(remaining: remaining, isLast: type == "IEND")
        }
    }
}
