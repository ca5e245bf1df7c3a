import Foundation
import Logging
import NIOCore
import RefractCore
import RefractStorage

/// Runs one job: writes a source's outputs, or removes them.
///
/// Every attempt redoes all the outputs: writing one again gives the same object, so a retry after a partial
/// failure is safe.
struct JobRunner: Sendable {
    let pipelines: [String: UploadPipeline]
    let resolveBucket: @Sendable (String) -> StoreBucket?
    /// The longest one output's transforms may take.
    let transformTimeout: Duration
    let logger: Logger

    func run(_ job: PipelineJob) async throws -> JobOutcome {
        guard let pipeline = pipelines[job.pipeline] else {
            throw JobRunError(message: "The pipeline \(job.pipeline) is no longer configured.", isRetryable: false)
        }
        guard let location = resolveBucket(job.event.bucket) else {
            throw JobRunError(message: "The bucket \(job.event.bucket) is no longer configured.", isRetryable: false)
        }
        var logger = logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "pipeline"] = "\(job.pipeline)"
        logger[metadataKey: "key"] = "\(job.event.bucket)/\(job.event.key)"
        switch job.event.kind {
        case .put: return try await writeOutputs(job, pipeline: pipeline, location: location, logger: logger)
        case .delete: return try await removeOutputs(job, pipeline: pipeline, location: location, logger: logger)
        }
    }

    /// Runs the source through each output's pipeline and stores the result, marked with `refract-source`.
    private func writeOutputs(
        _ job: PipelineJob,
        pipeline: UploadPipeline,
        location: StoreBucket,
        logger: Logger
    ) async throws -> JobOutcome {
        let (store, storeBucket, key) = (location.store, location.bucket, job.event.key)
        guard let source = try await headIfPresent(location, key: key) else {
            logger.debug("The source is gone: a newer event removed it")
            return .superseded
        }
        let etag = ObjectEvent.unquoted(source.etag)
        if let expected = job.event.etag, expected != etag {
            logger.debug("The source changed since the event: a newer job writes its outputs")
            return .superseded
        }
        guard source.userMetadata[PipelineMatcher.sourceMetadataKey] == nil else {
            logger.debug("The source is itself a pipeline output")
            return .skipped
        }
        let options = PutOptions(userMetadata: [
            PipelineMatcher.sourceMetadataKey: "\(job.event.bucket)/\(key)@\(etag)"
        ])
        for output in pipeline.outputs {
            let outputKey = output.keyTemplate.expand(key: key)
            let context = "Output \(outputKey)"
            do {
                // If-Match: every output comes from the version of the source the checks above saw.
                let read = try await store.get(
                    bucket: storeBucket, key: key, range: nil, conditions: ReadConditions(ifMatch: source.etag))
                let transformed = try await output.pipeline.run(
                    input(read, key: key, location: location),
                    context: TransformContext(
                        requestID: "job-\(job.id)",
                        deadline: .now + transformTimeout,
                        logger: logger,
                        source: SourceMetadata(
                            bucket: job.event.bucket,
                            key: key,
                            contentType: read.info.contentType,
                            contentLength: read.info.size,
                            etag: read.info.etag,
                            lastModified: read.info.lastModified,
                            userMetadata: read.info.userMetadata
                        )
                    )
                )
                guard (200..<300).contains(transformed.status) else {
                    throw JobRunError(
                        message: "\(context): the pipeline answered with status \(transformed.status)",
                        isRetryable: transformed.status >= 500
                    )
                }
                var outputOptions = options
                outputOptions.contentType = transformed.contentType
                try await OutputWriter(store: store, bucket: storeBucket, key: outputKey, options: outputOptions)
                    .write(transformed)
            } catch let error as RefractError
                where error.hasSameCode(as: .preconditionFailed()) || error.hasSameCode(as: .noSuchKey())
            {
                logger.debug("The source changed or went away while its outputs were written")
                return .superseded
            } catch let error where !(error is CancellationError) {
                throw JobRunError(error, context: context)
            }
            logger.debug("Wrote output", metadata: ["output": "\(outputKey)"])
        }
        return .done
    }

    /// Removes the outputs of a deleted source: those that carry its `refract-source` mark, so that an object of
    /// the same key the pipeline did not write stays.
    private func removeOutputs(
        _ job: PipelineJob,
        pipeline: UploadPipeline,
        location: StoreBucket,
        logger: Logger
    ) async throws -> JobOutcome {
        let key = job.event.key
        if try await headIfPresent(location, key: key) != nil {
            logger.debug("The source exists again: a newer event wrote it")
            return .superseded
        }
        let mark = "\(job.event.bucket)/\(key)@"
        for output in pipeline.outputs {
            let outputKey = output.keyTemplate.expand(key: key)
            do {
                guard let info = try await headIfPresent(location, key: outputKey),
                    info.userMetadata[PipelineMatcher.sourceMetadataKey]?.hasPrefix(mark) == true
                else { continue }
                try await location.store.delete(bucket: location.bucket, key: outputKey)
            } catch let error where !(error is CancellationError) {
                throw JobRunError(error, context: "Output \(outputKey)")
            }
            logger.debug("Removed output", metadata: ["output": "\(outputKey)"])
        }
        return .done
    }

    /// The object's metadata, or nil when there is no such object.
    private func headIfPresent(_ location: StoreBucket, key: String) async throws -> ObjectInfo? {
        do {
            return try await location.store.head(bucket: location.bucket, key: key)
        } catch let error as RefractError where error.hasSameCode(as: .noSuchKey()) {
            return nil
        } catch let error where !(error is CancellationError) {
            throw JobRunError(error, context: "Source \(key)")
        }
    }

    /// The source as a pipeline's input, with ranged reads of the same version for the steps that want them.
    private func input(_ read: ObjectRead, key: String, location: StoreBucket) -> TransformInput {
        let (store, bucket, etag) = (location.store, location.bucket, read.info.etag)
        let sourceRanges = SourceRanges(objectLength: read.info.size) { range in
            let part = try await store.get(
                bucket: bucket, key: key, range: .closed(range.lowerBound, range.upperBound - 1),
                conditions: ReadConditions(ifMatch: etag))
            return try await part.body.collect(
                upTo: range.count, tooLarge: .internalError("The store sent more than the range."))
        }
        return TransformInput(
            body: read.body,
            contentType: read.info.contentType,
            contentLength: read.info.size,
            sourceRanges: sourceRanges
        )
    }
}
