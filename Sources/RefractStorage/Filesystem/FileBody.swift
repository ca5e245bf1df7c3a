import NIOCore
import NIOPosix
import RefractCore

/// The bytes of an open file, or of a range within it, read one chunk per `next()` on a thread pool.
///
/// Nothing is read ahead: a consumer that pulls slowly reads the file slowly, and at most one chunk is in memory
/// per iterator. The file is closed as soon as the iteration ends or fails, when an iterator is dropped before the
/// end (a client that went away), and otherwise when the body itself is released.
struct FileBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    static let chunkSize = 256 * 1024

    private let file: FileDescriptor
    private let byteRange: Range<Int>
    private let threadPool: NIOThreadPool

    /// - Parameter byteRange: the offsets to read, which must lie within the file as it was when opened.
    init(file: FileDescriptor, byteRange: Range<Int>, threadPool: NIOThreadPool) {
        self.file = file
        self.byteRange = byteRange
        self.threadPool = threadPool
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(file: file, byteRange: byteRange, threadPool: threadPool)
    }

    struct Iterator: AsyncIteratorProtocol {
        private let closer: CloserOnRelease
        private var offset: Int
        private let end: Int
        private let threadPool: NIOThreadPool

        fileprivate init(file: FileDescriptor, byteRange: Range<Int>, threadPool: NIOThreadPool) {
            self.closer = CloserOnRelease(file: file)
            self.offset = byteRange.lowerBound
            self.end = byteRange.upperBound
            self.threadPool = threadPool
        }

        mutating func next() async throws -> ByteBuffer? {
            let file = closer.file
            guard offset < end else {
                file.close()
                return nil
            }
            let offset = self.offset
            let count = Swift.min(FileBody.chunkSize, end - offset)
            let chunk: ByteBuffer
            do {
                chunk = try await threadPool.runIfActive {
                    try file.withDescriptor { descriptor in
                        var buffer = ByteBufferAllocator().buffer(capacity: count)
                        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                            try FileSystemCalls.readBytes(
                                descriptor: descriptor,
                                into: UnsafeMutableRawBufferPointer(rebasing: pointer.prefix(count)),
                                offset: offset,
                                path: file.path
                            )
                        }
                        return buffer
                    }
                }
            } catch {
                file.close()
                self.offset = end
                if let error = error as? FileSystemError {
                    throw RefractError.internalError("Reading the object failed: \(error.reason).")
                }
                throw error
            }
            guard chunk.readableBytes == count else {
                file.close()
                self.offset = end
                throw RefractError.internalError("The object was truncated while it was being read.")
            }
            self.offset += count
            return chunk
        }
    }
}

/// Closes a file when the iterator holding it is released, finished or not.
private final class CloserOnRelease: Sendable {
    let file: FileDescriptor

    init(file: FileDescriptor) {
        self.file = file
    }

    deinit {
        file.close()
    }
}
