public import RefractStorage

/// Where a gateway bucket's objects are: the store and the store's own name for the bucket.
public struct StoreBucket: Sendable {
    public var store: any ObjectStore
    /// The bucket's name in the store.
    public var bucket: String

    public init(store: any ObjectStore, bucket: String) {
        self.store = store
        self.bucket = bucket
    }
}
