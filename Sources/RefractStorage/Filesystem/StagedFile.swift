/// A complete file in a temporary folder, waiting to be renamed into place.
struct StagedFile: Sendable {
    let path: String
    /// The file's status once written, recorded in its metadata so that a later replacement is noticed.
    let status: FileStatus
}

/// What the store records of an object it writes, besides the file's status.
struct ObjectMetadata: Sendable {
    var key: String
    var etag: String
    var contentType: String
    var userMetadata: [String: String]
}
