import NIOCore

/// The JPEG half of ``MetadataStripper``: a state machine over the marker structure, fed buffer by buffer.
///
/// Marker segments are read by their headers and copied or skipped by their lengths; entropy-coded data after SOS is
/// scanned for the `FF` that starts the next marker (`FF00` stuffing and RSTn belong to the data), so the segments
/// between progressive scans are filtered too. Bytes that do not parse pass through untouched.
struct JPEGMetadataFilter {
    private enum State {
        case signature
        case markerStart
        case markerCode
        case segmentHeader(code: UInt8)
        case copy(remaining: Int, then: Next)
        case skip(remaining: Int, then: Next)
        case entropyData
        case entropyMarker
        case passThrough
        case trailer
    }

    private enum Next {
        case marker
        case entropyData
    }

    private let keepsICCProfile: Bool
    private var state = State.signature
    /// Header bytes read but not yet kept or dropped: at most a marker, a length and a 12-byte identifier.
    private(set) var heldBytes: [UInt8] = []

    init(keepsICCProfile: Bool) {
        self.keepsICCProfile = keepsICCProfile
    }

    /// Whether EOI has passed: the rest of the stream is dropped.
    var isFinished: Bool {
        if case .trailer = state { return true }
        return false
    }

    mutating func process(_ input: inout ByteBuffer, into output: inout StrippedOutput) {
        while input.readableBytes > 0 {
            switch state {
            case .signature:
                guard hold(from: &input, upTo: 2) else { return }
                output.append(heldBytes)
                state = heldBytes == [0xFF, 0xD8] ? .markerStart : .passThrough
                heldBytes = []
            case .markerStart:
                passUntilMarker(&input, into: &output)
            case .markerCode:
                readMarkerCode(&input, into: &output)
            case .segmentHeader(let code):
                readSegmentHeader(code, &input, into: &output)
            case .copy(let remaining, let next):
                let count = min(remaining, input.readableBytes)
                output.append(input.readSlice(length: count)!)
                state = remaining > count ? .copy(remaining: remaining - count, then: next) : state(after: next)
            case .skip(let remaining, let next):
                let count = min(remaining, input.readableBytes)
                input.moveReaderIndex(forwardBy: count)
                state = remaining > count ? .skip(remaining: remaining - count, then: next) : state(after: next)
            case .entropyData:
                let length = Self.distanceToMarker(in: input)
                output.append(input.readSlice(length: length ?? input.readableBytes)!)
                if length != nil {
                    input.moveReaderIndex(forwardBy: 1)
                    state = .entropyMarker
                }
            case .entropyMarker:
                let code = input.getInteger(at: input.readerIndex, as: UInt8.self)!
                if code == 0x00 || (0xD0...0xD7).contains(code) {
                    input.moveReaderIndex(forwardBy: 1)
                    output.append([0xFF, code])
                    state = .entropyData
                } else {
                    heldBytes = [0xFF]
                    state = .markerCode
                }
            case .passThrough:
                output.append(input.readSlice(length: input.readableBytes)!)
            case .trailer:
                input.moveReaderIndex(forwardBy: input.readableBytes)
            }
        }
    }

    private func state(after next: Next) -> State {
        switch next {
        case .marker: .markerStart
        case .entropyData: .entropyData
        }
    }

    /// Where a marker is due: stray bytes before it pass through, as a decoder skips them.
    private mutating func passUntilMarker(_ input: inout ByteBuffer, into output: inout StrippedOutput) {
        let length = Self.distanceToMarker(in: input)
        output.append(input.readSlice(length: length ?? input.readableBytes)!)
        if length != nil {
            input.moveReaderIndex(forwardBy: 1)
            heldBytes = [0xFF]
            state = .markerCode
        }
    }

    private mutating func readMarkerCode(_ input: inout ByteBuffer, into output: inout StrippedOutput) {
        let code = input.readInteger(as: UInt8.self)!
        switch code {
        case 0xFF:
            // A fill byte: the held FF was fill, the new one may start the marker.
            output.append([0xFF])
        case 0xD9:
            output.append([0xFF, code])
            heldBytes = []
            state = .trailer
        case 0x01, 0xD0...0xD8:
            output.append([0xFF, code])
            heldBytes = []
            state = .markerStart
        default:
            heldBytes = [0xFF, code]
            state = .segmentHeader(code: code)
        }
    }

    private mutating func readSegmentHeader(_ code: UInt8, _ input: inout ByteBuffer, into output: inout StrippedOutput)
    {
        guard hold(from: &input, upTo: 4) else { return }
        let length = Int(heldBytes[2]) << 8 | Int(heldBytes[3])
        guard length >= 2 else {
            output.append(heldBytes)
            heldBytes = []
            state = .passThrough
            return
        }
        // APP2 is told apart by its identifier (ICC_PROFILE\0 is the longest that matters).
        if code == 0xE2, !hold(from: &input, upTo: 4 + min(length - 2, 12)) { return }
        let remaining = length + 2 - heldBytes.count
        let next: Next = code == 0xDA ? .entropyData : .marker
        if isDropped(code) {
            state = .skip(remaining: remaining, then: next)
        } else {
            output.append(heldBytes)
            state = .copy(remaining: remaining, then: next)
        }
        heldBytes = []
    }

    private func isDropped(_ code: UInt8) -> Bool {
        switch code {
        case 0xE1, 0xED, 0xFE:
            return true
        case 0xE2:
            let identifier = heldBytes.dropFirst(4)
            if identifier.starts(with: Array("ICC_PROFILE\0".utf8)) { return !keepsICCProfile }
            return identifier.starts(with: Array("MPF\0".utf8))
        default:
            return false
        }
    }

    /// How many readable bytes come before the next `FF`, nil when there is none.
    private static func distanceToMarker(in input: ByteBuffer) -> Int? {
        input.withUnsafeReadableBytes { $0.firstIndex(of: 0xFF) }
    }

    /// Moves bytes into `heldBytes` until it holds `count`; false while more input is needed.
    private mutating func hold(from input: inout ByteBuffer, upTo count: Int) -> Bool {
        let wanted = min(count - heldBytes.count, input.readableBytes)
        if wanted > 0 { heldBytes += input.readBytes(length: wanted)! }
        return heldBytes.count >= count
    }
}
