import Crypto

/// What the store keeps beside an object it wrote: the ETag, the Content-Type and the user metadata.
///
/// It lives in `.refract/meta/<bucket>/<h[0..<2]>/<h>.json` under the store's root, where `h` is the hex SHA-256 of
/// the key's UTF-8 bytes: a name of fixed length, whatever the key. It records the size and modification time of
/// the file it describes; when the file no longer has them (someone replaced it by hand), the sidecar is ignored
/// and the file is served as one put there by hand.
struct MetadataSidecar: StateRecord, Sendable, Equatable {
    static let maxBytes = 64 * 1024

    var key: String
    var size: Int
    var modificationNanoseconds: Int64
    var etag: String
    var contentType: String
    var userMetadata: [String: String]

    init(key: String, status: FileStatus, etag: String, contentType: String, userMetadata: [String: String]) {
        self.key = key
        self.size = status.size
        self.modificationNanoseconds = status.modificationNanoseconds
        self.etag = etag
        self.contentType = contentType
        self.userMetadata = userMetadata
    }

    /// Whether the sidecar was written for `key` and the file still is as it was then.
    func describes(key: String, status: FileStatus) -> Bool {
        self.key.utf8.elementsEqual(key.utf8) && size == status.size
            && modificationNanoseconds == status.modificationNanoseconds
    }

    /// The sidecar's path relative to the store's state folder.
    static func relativePath(bucket: String, key: String) -> String {
        let hash = EntityTag.hex(Array(SHA256.hash(data: Array(key.utf8))))
        return "meta/\(bucket)/\(hash.prefix(2))/\(hash).json"
    }
}
