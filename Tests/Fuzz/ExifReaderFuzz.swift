import RefractImage

/// libFuzzer's entry point for the EXIF reader: the input is read as a whole object, then as an object of which only
/// the first half was supplied, following the reader's requests for more. Any crash, hang or sanitizer report is a
/// bug; a crashing input becomes a regression test.
@_cdecl("LLVMFuzzerTestOneInput")
public func exifReaderFuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    if let data = try? ExifReader.read(bytes) {
        _ = data.json()
        _ = data.withoutGPS.json(includingGPS: false)
    }
    var reader = ExifReader(objectLength: bytes.count)
    reader.supply(Array(bytes.prefix(bytes.count / 2)), at: 0)
    for _ in 0..<16 {
        guard case .needsBytes(let ranges)? = try? reader.read() else { break }
        for range in ranges {
            precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= bytes.count)
            reader.supply(Array(bytes[range]), at: range.lowerBound)
        }
    }
    _ = try? reader.readSupplied()
    return 0
}
