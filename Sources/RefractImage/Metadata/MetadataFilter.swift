import NIOCore
import RefractCore

/// Chooses the JPEG or PNG filter from the first bytes of a stream, then feeds it.
struct MetadataFilter {
    private enum Stage {
        case sniffing([UInt8])
        case jpeg(JPEGMetadataFilter)
        case png(PNGMetadataFilter)
    }

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private let keepsICCProfile: Bool
    private var stage = Stage.sniffing([])

    init(keepsICCProfile: Bool) {
        self.keepsICCProfile = keepsICCProfile
    }

    /// Whether the image has ended: what follows is dropped without being read.
    var isFinished: Bool {
        switch stage {
        case .sniffing: false
        case .jpeg(let filter): filter.isFinished
        case .png(let filter): filter.isFinished
        }
    }

    mutating func process(_ input: inout ByteBuffer, into output: inout StrippedOutput) throws(RefractError) {
        if case .sniffing(var seen) = stage {
            let wanted = Self.pngSignature.count - seen.count
            seen += input.readBytes(length: min(wanted, input.readableBytes)) ?? []
            if seen.count >= 2, seen[0] == 0xFF, seen[1] == 0xD8 {
                var filter = JPEGMetadataFilter(keepsICCProfile: keepsICCProfile)
                var start = ByteBuffer(bytes: seen)
                filter.process(&start, into: &output)
                stage = .jpeg(filter)
            } else if seen.count == Self.pngSignature.count {
                guard seen == Self.pngSignature else { throw Self.notAnImage }
                output.append(seen)
                stage = .png(PNGMetadataFilter(keepsICCProfile: keepsICCProfile))
            } else {
                guard seen.count < 2 || Self.pngSignature.starts(with: seen) else { throw Self.notAnImage }
                stage = .sniffing(seen)
                return
            }
        }
        switch stage {
        case .sniffing:
            break
        case .jpeg(var filter):
            filter.process(&input, into: &output)
            stage = .jpeg(filter)
        case .png(var filter):
            filter.process(&input, into: &output)
            stage = .png(filter)
        }
    }

    /// The bytes still held back when the input ends; fails when the input was too short to be an image.
    func finish() throws(RefractError) -> ByteBuffer? {
        switch stage {
        case .sniffing: throw Self.notAnImage
        case .jpeg(let filter): return filter.heldBytes.isEmpty ? nil : ByteBuffer(bytes: filter.heldBytes)
        case .png(let filter): return filter.heldBytes.isEmpty ? nil : ByteBuffer(bytes: filter.heldBytes)
        }
    }

    private static let notAnImage = RefractError.unprocessableSource("The source is neither a JPEG nor a PNG image.")
}
