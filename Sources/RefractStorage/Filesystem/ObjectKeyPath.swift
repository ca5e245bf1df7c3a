import RefractCore

/// An object key checked to be storable as a relative path inside a bucket's folder: its "/"-separated segments.
///
/// The filesystem store keeps the object `photos/2024/cat.jpg` in the file `<bucket>/photos/2024/cat.jpg`, so a
/// key is refused when it would leave the bucket's folder or cannot be a path: empty, more than 1024 bytes of
/// UTF-8, a NUL byte, an empty segment (a leading or trailing "/", or "a//b"), a "." or ".." segment, or a segment
/// longer than 255 bytes, the longest file name most filesystems take. The first segment may not be
/// ``FilesystemStore/reservedFolderName``, where the store stages writes for buckets on another filesystem.
struct ObjectKeyPath: Sendable, Equatable {
    static let maxKeyBytes = 1024
    static let maxSegmentBytes = 255

    /// The folders leading to the object, outermost first.
    let folders: [String]
    /// The object's file name.
    let fileName: String

    init(validating key: String) throws(RefractError) {
        guard !key.isEmpty else { throw RefractError.invalidArgument("The object key is empty.") }
        guard key.utf8.count <= Self.maxKeyBytes else {
            throw RefractError.invalidArgument("The object key is longer than \(Self.maxKeyBytes) bytes.")
        }
        guard !key.utf8.contains(0) else {
            throw RefractError.invalidArgument("The object key \(key.quotedForMessage()) contains a NUL character.")
        }
        // Split on the byte, not the Character: "/" followed by a combining mark is one Character in Swift but
        // still a separator to the filesystem.
        let segments = key.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        for segment in segments {
            guard !segment.utf8.isEmpty else {
                throw RefractError.invalidArgument(
                    "The object key \(key.quotedForMessage()) cannot be stored by the filesystem store: it starts or ends "
                        + "with \"/\" or has an empty segment (\"//\")."
                )
            }
            guard !segment.utf8.elementsEqual(".".utf8), !segment.utf8.elementsEqual("..".utf8) else {
                throw RefractError.invalidArgument(
                    "The object key \(key.quotedForMessage()) has a \".\" or \"..\" segment, which the filesystem store "
                        + "cannot store."
                )
            }
            guard segment.utf8.count <= Self.maxSegmentBytes else {
                throw RefractError.invalidArgument(
                    "The object key \(key.quotedForMessage()) has a segment longer than \(Self.maxSegmentBytes) bytes, "
                        + "the longest file name the filesystem store can keep."
                )
            }
        }
        guard !segments[0].utf8.elementsEqual(FilesystemStore.reservedFolderName.utf8) else {
            throw RefractError.invalidArgument(
                "Keys under \"\(FilesystemStore.reservedFolderName)/\" are reserved by the filesystem store."
            )
        }
        folders = Array(segments.dropLast())
        fileName = segments[segments.count - 1]
    }
}
