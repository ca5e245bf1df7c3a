/// A path-style request path split into bucket, key and transform suffix (SPEC §1.2).
///
/// `/photos/cat.jpg!resize:w=300` is bucket `photos`, key `cat.jpg`, suffix `resize:w=300`. The raw path is split
/// at the first unencoded `!` after the bucket segment, so a key that contains `!` is written with `%21`; each part
/// is percent-decoded after the split. `+` stays a `+`: it only means a space in form-encoded queries.
public struct RequestPath: Sendable, Equatable {
    /// The first segment; empty for `/`.
    public var bucket: String
    /// Everything after the bucket segment's `/`, up to the suffix; empty when there is none. A trailing `/` is kept.
    public var key: String
    /// The text after the first unencoded `!`, or nil when the path has no `!`.
    public var suffix: String?

    public init(bucket: String, key: String, suffix: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.suffix = suffix
    }

    /// Splits and decodes a raw request path, without its query (`/photos/cat.jpg!resize:w=300`).
    ///
    /// Throws `InvalidArgument` for a path that does not start with `/` or has invalid percent-encoding or UTF-8,
    /// and `InvalidTransform` for an empty suffix (`/photos/cat.jpg!`).
    public init(rawPath: String) throws(RefractError) {
        let bytes = Array(rawPath.utf8)
        guard bytes.first == UInt8(ascii: "/") else {
            throw .invalidArgument("The request path must start with '/'.")
        }
        let afterSlash = bytes[1...]
        guard let bucketEnd = afterSlash.firstIndex(of: UInt8(ascii: "/")) else {
            self.init(bucket: try Self.decode(afterSlash, part: "bucket name"), key: "")
            return
        }
        let keyAndSuffix = afterSlash[(bucketEnd + 1)...]
        let bucket = try Self.decode(afterSlash[..<bucketEnd], part: "bucket name")
        guard let bang = keyAndSuffix.firstIndex(of: UInt8(ascii: "!")) else {
            self.init(bucket: bucket, key: try Self.decode(keyAndSuffix, part: "key"))
            return
        }
        let suffixBytes = keyAndSuffix[(bang + 1)...]
        guard !suffixBytes.isEmpty else {
            throw .invalidTransform("The transform suffix after '!' is empty.")
        }
        self.init(
            bucket: bucket,
            key: try Self.decode(keyAndSuffix[..<bang], part: "key"),
            suffix: try Self.decode(suffixBytes, part: "transform suffix")
        )
    }

    private static func decode(_ encoded: ArraySlice<UInt8>, part: String) throws(RefractError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard encoded.endIndex - index >= 3,
                let high = hexValue(encoded[index + 1]),
                let low = hexValue(encoded[index + 2])
            else {
                throw .invalidArgument(
                    "The \(part) has an invalid percent-encoding: '%' must be followed by two hex digits."
                )
            }
            decoded.append(high << 4 | low)
            index += 3
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw .invalidArgument("The \(part) is not valid UTF-8 once percent-decoded.")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
