import NIOCore
import RefractCore
import RefractStorage

/// Stores a transform's output, whether or not its length is known.
///
/// A store may need the length before the body (S3 does), and a streaming transform does not know it. An output
/// of known length streams in one put; otherwise up to ``partSize`` bytes are gathered: a body that ends there
/// goes in one put, a longer one in a multipart upload of parts of that size (S3 takes parts of different sizes).
/// Memory stays within one part.
struct OutputWriter: Sendable {
    /// The size of the parts of a multipart upload: above S3's 5 MiB minimum.
    static let partSize = 8 * 1024 * 1024

    let store: any ObjectStore
    let bucket: String
    let key: String
    let options: PutOptions

    func write(_ output: TransformOutput) async throws {
        if let length = output.contentLength {
            var options = options
            options.contentLength = length
            _ = try await store.put(bucket: bucket, key: key, body: output.body, options: options)
            return
        }
        var iterator = output.body.makeAsyncIterator()
        var part = try await Self.nextPart(from: &iterator)
        guard part.readableBytes >= Self.partSize else {
            var options = options
            options.contentLength = part.readableBytes
            _ = try await store.put(bucket: bucket, key: key, body: ObjectBody(buffer: part), options: options)
            return
        }
        let uploadID = try await store.createMultipartUpload(bucket: bucket, key: key, options: options)
        do {
            var completed: [CompletedPart] = []
            while part.readableBytes > 0 {
                let partNumber = completed.count + 1
                let info = try await store.uploadPart(
                    bucket: bucket,
                    key: key,
                    uploadID: uploadID,
                    partNumber: partNumber,
                    body: ObjectBody(buffer: part),
                    contentLength: part.readableBytes,
                    contentMD5: nil
                )
                completed.append(CompletedPart(partNumber: partNumber, etag: info.etag))
                part = try await Self.nextPart(from: &iterator)
            }
            _ = try await store.completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: completed)
        } catch {
            try? await store.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
    }

    /// The next bytes of the body: at least `partSize` of them (a part ends with a whole buffer) unless the body
    /// ends first; empty at its end.
    private static func nextPart(from iterator: inout ObjectBody.AsyncIterator) async throws -> ByteBuffer {
        var part = ByteBuffer()
        while part.readableBytes < partSize, var buffer = try await iterator.next() {
            part.writeBuffer(&buffer)
        }
        return part
    }
}
