public import RefractStorage

extension JobQueue {
    /// Enqueues a put job of `pipeline` for each existing object of its bucket that it matches: the objects written
    /// before the pipeline existed, or whose outputs must be made again.
    ///
    /// Lists the bucket page by page, enqueuing each page's objects as it comes, with fresh sequencers and past the
    /// queue's duplicate check (the same objects are processed again on purpose). Keys that could be the
    /// pipeline's own outputs are left out.
    ///
    /// - Parameters:
    ///   - store, storeBucket: where the pipeline's bucket is.
    ///   - prefix: lists only the keys under it (within the pipeline's own prefix).
    ///   - progress: called after each page with the objects listed and the jobs enqueued so far.
    /// - Returns: the objects listed and the jobs enqueued.
    @discardableResult
    public func enqueueBackfill(
        pipeline: UploadPipeline,
        store: any ObjectStore,
        storeBucket: String,
        prefix: String = "",
        progress: (_ listed: Int, _ enqueued: Int) -> Void = { _, _ in }
    ) async throws -> (listed: Int, enqueued: Int) {
        let listPrefix: String
        if prefix.hasPrefix(pipeline.prefix) {
            listPrefix = prefix
        } else if pipeline.prefix.hasPrefix(prefix) {
            listPrefix = pipeline.prefix
        } else {
            return (0, 0)
        }
        var query = ListQuery(prefix: listPrefix)
        var (listed, enqueued) = (0, 0)
        while true {
            let page = try await store.list(bucket: storeBucket, query: query)
            listed += page.objects.count
            let submissions = page.objects.filter {
                pipeline.matches(key: $0.key) && !pipeline.couldProduce(key: $0.key)
            }
            .map { object in
                JobSubmission(
                    event: ObjectEvent(
                        bucket: pipeline.bucket,
                        key: object.key,
                        kind: .put,
                        etag: object.etag,
                        size: object.size,
                        sequencer: sequencers.next()
                    ),
                    pipeline: pipeline,
                    bypassesDeduplication: true
                )
            }
            enqueued += try await enqueue(submissions).count
            progress(listed, enqueued)
            guard page.isTruncated, let next = page.nextStartAfter else { break }
            query.startAfter = next
        }
        return (listed, enqueued)
    }
}
