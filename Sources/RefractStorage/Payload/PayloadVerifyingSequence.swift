import Crypto
import Foundation
import NIOCore
import RefractCore

/// A request body read through a `PayloadVerifier`: decoded, hashed, and checked when it ends.
struct PayloadVerifyingSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: ObjectBody
    let verifier: PayloadVerifier
    let checksums: PayloadChecksums

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), verifier: verifier, checksums: checksums)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        private var base: ObjectBody.AsyncIterator
        private let verifier: PayloadVerifier
        private let checksums: PayloadChecksums
        private var decoder: AWSChunkedDecoder?
        private var pending = ByteBuffer()
        private var running: [RunningChecksum]
        private var decodedLength = 0
        private var finished = false

        init(base: ObjectBody.AsyncIterator, verifier: PayloadVerifier, checksums: PayloadChecksums) {
            self.base = base
            self.verifier = verifier
            self.checksums = checksums
            if case .awsChunked(let mode) = verifier.framing {
                decoder = AWSChunkedDecoder(mode: mode)
            }
            var computed = verifier.reportedChecksums
            if verifier.expectedSHA256 != nil {
                computed.insert(.sha256)
            }
            running = computed.map(RunningChecksum.init)
        }

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            do {
                if let buffer = try await nextPayloadBuffer() {
                    return buffer
                }
                finished = true
                return nil
            } catch {
                finished = true
                throw error
            }
        }

        private mutating func nextPayloadBuffer() async throws -> ByteBuffer? {
            guard decoder != nil else {
                while let buffer = try await base.next() {
                    guard buffer.readableBytes > 0 else { continue }
                    try account(buffer)
                    return buffer
                }
                try complete(trailers: [])
                return nil
            }
            while true {
                // Mutated through the optional in place: a copy would copy its hasher's context too.
                switch try decoder!.next(from: &pending) {
                case .data(let slice):
                    try account(slice)
                    return slice
                case .end(let trailers):
                    try await checkNothingFollows()
                    try complete(trailers: trailers)
                    return nil
                case nil:
                    guard let buffer = try await base.next() else { throw RefractError.incompleteBody() }
                    pending = buffer
                }
            }
        }

        private mutating func account(_ buffer: ByteBuffer) throws {
            decodedLength += buffer.readableBytes
            if isChunked, let declared = verifier.decodedContentLength, decodedLength > declared {
                throw RefractError.incompleteBody(
                    "The aws-chunked body holds more than the x-amz-decoded-content-length of \(declared) bytes."
                )
            }
            for index in running.indices {
                running[index].update(buffer)
            }
        }

        /// Reads the rest of the request through the finished decoder, which refuses any byte.
        private mutating func checkNothingFollows() async throws {
            while true {
                _ = try decoder!.next(from: &pending)
                guard let buffer = try await base.next() else { return }
                pending = buffer
            }
        }

        private var isChunked: Bool { decoder != nil }

        private func complete(trailers: [(name: String, value: String)]) throws {
            if isChunked, let declared = verifier.decodedContentLength, decodedLength != declared {
                throw RefractError.incompleteBody(
                    "The aws-chunked body holds \(decodedLength) bytes, not the x-amz-decoded-content-length of "
                        + "\(declared)."
                )
            }
            var digests: [ChecksumAlgorithm: [UInt8]] = [:]
            for checksum in running {
                digests[checksum.algorithm] = checksum.finalize()
            }
            if let expected = verifier.expectedSHA256, SigV4Hashing.hex(digests[.sha256] ?? []) != expected {
                throw RefractError.xAmzContentSHA256Mismatch()
            }
            var expected = verifier.expectedChecksums
            for (name, value) in trailers {
                guard let algorithm = ChecksumAlgorithm(headerName: name), verifier.trailerChecksums.contains(algorithm)
                else {
                    throw RefractError.invalidRequest("The trailing header \(name) was not declared in x-amz-trailer.")
                }
                guard let digest = PayloadVerifier.decodeDigest(value, for: algorithm) else {
                    throw RefractError.invalidRequest("Value for \(name) trailing header is invalid.")
                }
                expected[algorithm] = digest
            }
            for algorithm in verifier.trailerChecksums where expected[algorithm] == nil {
                throw RefractError.incompleteBody("The trailing header \(algorithm.headerName) was not sent.")
            }
            for (algorithm, digest) in expected where digests[algorithm] != digest {
                throw RefractError.badDigest(
                    "The \(algorithm.rawValue) you specified did not match the calculated checksum."
                )
            }
            checksums.publish(
                digests.filter { verifier.reportedChecksums.contains($0.key) }.mapValues {
                    Data($0).base64EncodedString()
                }
            )
        }
    }
}
