/// S3's rules for bucket names, used to pick which folders of the root are served as buckets.
package enum BucketName {
    /// Whether `name` is a valid S3 bucket name: 3 to 63 characters among lower-case letters, digits, "." and "-",
    /// starting and ending with a letter or digit, no "..", not shaped like an IPv4 address, and none of the
    /// prefixes and suffixes S3 reserves.
    package static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isLetterOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard bytes.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
            isLetterOrDigit(bytes[0]), isLetterOrDigit(bytes[bytes.count - 1]), !name.contains("..")
        else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count == 4, labels.allSatisfy({ UInt8($0) != nil }) { return false }
        let reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
        let reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
        return !reservedPrefixes.contains(where: name.hasPrefix) && !reservedSuffixes.contains(where: name.hasSuffix)
    }
}
