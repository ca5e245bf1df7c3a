/// What the queue remembers of the last event it accepted for one object in one pipeline: enough to tell a
/// duplicate or an out-of-order event from a new one.
struct ObjectRecord: Sendable, Hashable {
    var sequencer: String
    var kind: ObjectEvent.Kind
    var etag: String?

    /// Whether the queue takes `submission`, given the object's record, and the record to keep afterwards (nil
    /// when it does not change).
    ///
    /// An event is taken when its sequencer is newer than the record's, unless it is a put of the ETag a put
    /// already brought: the same write reported twice (by the gateway and by the store's notification). Forced
    /// submissions are always taken; the record then keeps the newest sequencer.
    static func admission(
        of submission: JobSubmission,
        after record: ObjectRecord?
    ) -> (admitted: Bool, record: ObjectRecord?) {
        let event = submission.event
        let incoming = ObjectRecord(sequencer: event.sequencer, kind: event.kind, etag: event.etag)
        guard let record else { return (true, incoming) }
        let isNewer = Sequencer.isNewer(event.sequencer, than: record.sequencer)
        if submission.bypassesDeduplication { return (true, isNewer ? incoming : nil) }
        guard isNewer else { return (false, nil) }
        if event.kind == .put, record.kind == .put, let etag = event.etag, etag == record.etag {
            return (false, incoming)
        }
        return (true, incoming)
    }
}
