/// A multipart upload in progress, kept in `.refract/uploads/<id>/` under the store's root: this record in
/// `upload.json`, and each part's bytes in `part-<number>` (five digits) beside its `PartRecord` in
/// `part-<number>.json`.
struct MultipartUpload: StateRecord, Sendable {
    static let recordName = "upload.json"
    static let maxRecordBytes = 64 * 1024

    var bucket: String
    var key: String
    var contentType: String?
    var userMetadata: [String: String]

    /// Whether `id` has the shape of the ids the store makes (32 lower-case hex digits), so that it can name a
    /// folder safely.
    static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 32
            && id.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }

    static func partFileName(_ partNumber: Int) -> String {
        let digits = String(partNumber)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The part number of a part's file name, nil for any other file.
    static func partNumber(ofFileName name: String) -> Int? {
        guard name.hasPrefix("part-"), name.utf8.count == 10 else { return nil }
        return Int(name.dropFirst(5))
    }
}

/// What the store records of a part beside its bytes: the MD5, trusted while the file keeps its size and
/// modification time.
struct PartRecord: StateRecord, Sendable {
    var md5: String
    var size: Int
    var modificationNanoseconds: Int64

    func describes(_ status: FileStatus) -> Bool {
        size == status.size && modificationNanoseconds == status.modificationNanoseconds
    }
}

/// A part as stored, with the MD5 of its bytes.
struct StoredPart: Sendable {
    var partNumber: Int
    var path: String
    var md5: [UInt8]
    var status: FileStatus

    var info: PartInfo {
        PartInfo(
            partNumber: partNumber,
            etag: EntityTag.singlePart(md5: md5),
            size: status.size,
            lastModified: status.modificationDate
        )
    }
}
