/// Why bytes of an object could not be had: not supplied yet, or not there at all.
enum ByteAccessError: Error, Equatable {
    /// The bytes exist in the object but were not supplied; the range is the first gap, within the object.
    case missing(Range<Int>)
    /// The bytes lie outside the object or outside the structure that was read (a corrupt offset or length).
    case outOfBounds
}

/// The parts of an object that have been read so far: sorted, disjoint runs of bytes at their offsets.
///
/// Metadata readers look things up by offset; asking for bytes that were not supplied yet names the exact gap
/// (`missing`), asking past the object's end is `outOfBounds`.
struct SparseObjectBytes: Sendable {
    private struct Run: Sendable {
        var start: Int
        var bytes: [UInt8]
        var end: Int { start + bytes.count }
    }

    /// The length of the whole object.
    let objectLength: Int
    /// When set, bytes not supplied count as absent (`outOfBounds`) instead of `missing`: for a last, best-effort read.
    var treatsMissingAsAbsent = false
    private var runs: [Run] = []

    init(objectLength: Int) {
        self.objectLength = max(0, objectLength)
    }

    /// How many bytes of the object are held.
    var heldByteCount: Int { runs.reduce(0) { $0 + $1.bytes.count } }

    /// Adds `bytes` found at `offset` in the object; what lies past the object's end is ignored.
    mutating func insert<Bytes: Collection<UInt8>>(_ bytes: Bytes, at offset: Int) {
        guard offset >= 0, offset < objectLength, !bytes.isEmpty else { return }
        let kept = Array(bytes.prefix(objectLength - offset))
        var merged = Run(start: offset, bytes: kept)
        var remaining: [Run] = []
        for run in runs {
            if run.end < merged.start || run.start > merged.end {
                remaining.append(run)
                continue
            }
            let start = min(run.start, merged.start)
            let end = max(run.end, merged.end)
            var union = [UInt8](repeating: 0, count: end - start)
            union.replaceSubrange((run.start - start)..<(run.end - start), with: run.bytes)
            union.replaceSubrange((merged.start - start)..<(merged.end - start), with: merged.bytes)
            merged = Run(start: start, bytes: union)
        }
        remaining.append(merged)
        runs = remaining.sorted { $0.start < $1.start }
    }

    /// The bytes of `range` of the object.
    func bytes(_ range: Range<Int>) throws(ByteAccessError) -> ArraySlice<UInt8> {
        guard range.lowerBound >= 0, range.upperBound <= objectLength else { throw .outOfBounds }
        guard !range.isEmpty else { return [] }
        var gapStart = range.lowerBound
        for run in runs where run.start <= range.lowerBound && range.lowerBound < run.end {
            if range.upperBound <= run.end {
                return run.bytes[(range.lowerBound - run.start)..<(range.upperBound - run.start)]
            }
            gapStart = run.end
        }
        if treatsMissingAsAbsent { throw .outOfBounds }
        throw .missing(gapStart..<gapEnd(after: gapStart, before: range.upperBound))
    }

    /// The bytes of `range`, or nil when it runs past the object's end: a scanner's way to stop at corrupt data,
    /// while bytes not yet supplied still throw `missing`.
    func bytesIfInObject(_ range: Range<Int>) throws(ByteAccessError) -> [UInt8]? {
        do {
            return Array(try bytes(range))
        } catch .outOfBounds {
            return nil
        }
    }

    private func gapEnd(after offset: Int, before limit: Int) -> Int {
        let nextStart = runs.first { $0.start > offset }?.start ?? limit
        return min(nextStart, limit)
    }
}
