import Synchronization

/// The checksums of an upload's payload, known once its body has been read to the end and verified.
///
/// The server keeps this while the store consumes the body, then echoes the values as S3 does in the PutObject
/// response. Before the body's end, or when a check failed, there are none.
public final class PayloadChecksums: Sendable {
    private let verified = Mutex<[ChecksumAlgorithm: String]?>(nil)

    init() {}

    /// Base64 of each big-endian digest, for the algorithms the request named; nil until the payload is verified.
    public var values: [ChecksumAlgorithm: String]? {
        verified.withLock { $0 }
    }

    /// The `x-amz-checksum-*` headers to answer with, in name order; empty until the payload is verified.
    public var responseHeaders: [(name: String, value: String)] {
        (values ?? [:]).map { (name: $0.key.headerName, value: $0.value) }.sorted { $0.name < $1.name }
    }

    func publish(_ values: [ChecksumAlgorithm: String]) {
        verified.withLock { $0 = values }
    }
}
