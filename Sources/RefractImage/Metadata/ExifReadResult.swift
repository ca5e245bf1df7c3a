/// What ``ExifReader/read()`` made of the bytes it was given.
public enum ExifReadResult: Sendable, Hashable {
    /// Everything the image's metadata points to was available.
    case complete(ExifData)
    /// The bytes of these ranges of the object are needed and were not supplied: supply them (reading more around
    /// them is fine) and read again.
    ///
    /// The ranges are sorted, disjoint, not empty and within the object. Each starts with bytes not supplied; ranges
    /// less than ``ExifReader/rangeMergingDistance`` apart are merged, and the gap taken in may hold supplied bytes.
    /// Walking a JPEG's segments or a
    /// PNG's or WebP's chunks asks for one range at a time; the directories of a TIFF structure ask for every value
    /// they point to at once.
    case needsBytes([Range<Int>])
}
