import Crypto
import NIOCore
import RefractCore

/// A body that hands on each buffer only once the next one has been read, and checks the `Content-MD5` the client
/// sent before handing on the last.
///
/// The store commits an upload when its last byte arrives. A payload that fails its checks does so when its end is
/// read, so holding the last buffer back until then means a payload that fails is never complete at the store,
/// whether or not the store checks digests itself.
struct HeldBackBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: ObjectBody
    /// The MD5 the payload must have, when the client sent one.
    let expectedMD5: [UInt8]?

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), expectedMD5: expectedMD5)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: ObjectBody.AsyncIterator
        let expectedMD5: [UInt8]?
        var digest = Insecure.MD5()
        var started = false
        var pending: ByteBuffer?

        init(base: ObjectBody.AsyncIterator, expectedMD5: [UInt8]?) {
            self.base = base
            self.expectedMD5 = expectedMD5
        }

        mutating func next() async throws -> ByteBuffer? {
            if !started {
                started = true
                pending = try await read()
            }
            guard let current = pending else { return nil }
            pending = try await read()
            return current
        }

        /// The next buffer of the payload; at its end, `BadDigest` when the MD5 differs.
        private mutating func read() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else {
                if let expectedMD5, Array(digest.finalize()) != expectedMD5 { throw RefractError.badDigest() }
                return nil
            }
            if expectedMD5 != nil { buffer.withUnsafeReadableBytes { digest.update(bufferPointer: $0) } }
            return buffer
        }
    }
}
