/// A checksum S3 accepts with an upload: `x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`, `-sha1`, `-sha256`.
public enum ChecksumAlgorithm: String, Sendable, CaseIterable, Hashable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"

    /// Parses an algorithm name as `x-amz-sdk-checksum-algorithm` writes it, in any case.
    public init?(name: String) {
        self.init(rawValue: name.uppercased())
    }

    /// Recognises `x-amz-checksum-crc32` and the like, in any case.
    public init?(headerName: String) {
        let lowercased = headerName.lowercased()
        guard lowercased.hasPrefix(Self.headerPrefix) else { return nil }
        self.init(name: String(lowercased.dropFirst(Self.headerPrefix.count)))
    }

    private static let headerPrefix = "x-amz-checksum-"

    /// The header that carries this checksum, base64 of its big-endian digest.
    public var headerName: String { Self.headerPrefix + rawValue.lowercased() }

    /// How many bytes the digest has.
    public var digestLength: Int {
        switch self {
        case .crc32, .crc32c: 4
        case .crc64nvme: 8
        case .sha1: 20
        case .sha256: 32
        }
    }
}
