import Crypto
import NIOCore

/// One checksum being computed over a payload as it streams.
struct RunningChecksum {
    let algorithm: ChecksumAlgorithm
    // One of these is set. Optionals rather than an enum with payloads: the hashers are copy-on-write, and taking
    // one out of an enum case to update it would copy its context on every buffer.
    private var crc32: CRC32?
    private var crc64nvme: CRC64NVME?
    private var sha1: Insecure.SHA1?
    private var sha256: SHA256?

    init(_ algorithm: ChecksumAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32: crc32 = CRC32(.ieee)
        case .crc32c: crc32 = CRC32(.castagnoli)
        case .crc64nvme: crc64nvme = CRC64NVME()
        case .sha1: sha1 = Insecure.SHA1()
        case .sha256: sha256 = SHA256()
        }
    }

    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            crc32?.update(bytes)
            crc64nvme?.update(bytes)
            sha1?.update(bufferPointer: bytes)
            sha256?.update(bufferPointer: bytes)
        }
    }

    /// The digest, big-endian, as S3 base64-encodes it.
    func finalize() -> [UInt8] {
        switch algorithm {
        case .crc32, .crc32c: withUnsafeBytes(of: crc32!.value.bigEndian, Array.init)
        case .crc64nvme: withUnsafeBytes(of: crc64nvme!.value.bigEndian, Array.init)
        case .sha1: Array(sha1!.finalize())
        case .sha256: Array(sha256!.finalize())
        }
    }
}
