import Foundation
import RefractCore

extension PayloadVerifier {
    static func value(_ name: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name.lowercased() == name }.map { SigV4Canonical.headerValue($0.value) }
    }

    /// The `x-amz-checksum-*` headers sent, decoded.
    static func checksumHeaders(_ headers: [(name: String, value: String)]) throws -> [ChecksumAlgorithm: [UInt8]] {
        var checksums: [ChecksumAlgorithm: [UInt8]] = [:]
        for (name, value) in headers {
            guard let algorithm = ChecksumAlgorithm(headerName: name) else { continue }
            guard let digest = decodeDigest(SigV4Canonical.headerValue(value), for: algorithm) else {
                throw RefractError.invalidRequest("Value for \(algorithm.headerName) header is invalid.")
            }
            checksums[algorithm] = digest
        }
        return checksums
    }

    /// The checksums `x-amz-trailer` announces; S3 takes no other trailer.
    static func trailerChecksums(_ headers: [(name: String, value: String)]) throws -> Set<ChecksumAlgorithm> {
        var checksums: Set<ChecksumAlgorithm> = []
        for name in (value("x-amz-trailer", in: headers) ?? "").split(separator: ",") {
            let trimmed = SigV4Canonical.headerValue(String(name))
            guard let algorithm = ChecksumAlgorithm(headerName: trimmed) else {
                throw RefractError.invalidRequest("The trailing header \(trimmed) is not supported.")
            }
            checksums.insert(algorithm)
        }
        return checksums
    }

    /// The checksums to report: the one sent (S3 takes a single one) and the one the SDK says it computed.
    static func reportedChecksums(
        _ headers: [(name: String, value: String)],
        sent: Set<ChecksumAlgorithm>
    ) throws -> Set<ChecksumAlgorithm> {
        guard sent.count <= 1 else {
            throw RefractError.invalidRequest(
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
            )
        }
        guard
            let name = value("x-amz-sdk-checksum-algorithm", in: headers)
                ?? value("x-amz-checksum-algorithm", in: headers)
        else { return sent }
        guard let algorithm = ChecksumAlgorithm(name: name), sent.isEmpty || sent.contains(algorithm) else {
            throw RefractError.invalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
        }
        return sent.union([algorithm])
    }

    /// A base64 digest of the right length for `algorithm`, decoded.
    static func decodeDigest(_ base64: String, for algorithm: ChecksumAlgorithm) -> [UInt8]? {
        guard let data = Data(base64Encoded: base64), data.count == algorithm.digestLength else { return nil }
        return Array(data)
    }
}
