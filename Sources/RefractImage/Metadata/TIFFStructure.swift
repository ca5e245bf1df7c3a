/// A TIFF structure inside an object, the form EXIF data always takes: a header, then image file directories (IFDs)
/// found by offset. It is the APP1 payload of a JPEG, a PNG `eXIf` or WebP `EXIF` chunk, or a TIFF file itself.
///
/// Reads IFD0, its ExifIFD, GPS and InteropIFD directories, and IFD1; every offset and count is checked against the
/// structure's bounds, each directory is read once (loops end there), and the MakerNote is not followed.
/// Values are rendered as `exiftool -n` renders them.
struct TIFFStructure {
    /// Values larger than this are measured, not read (exiftool reads them; a reader of the head cannot afford to).
    static let largestValueRead = 1 << 20
    /// More directories than the five kinds would only come from a corrupt or hostile file.
    static let mostDirectories = 16

    /// What could be read, and the byte ranges that were needed but not supplied.
    struct Reading {
        /// In ``ExifDirectory/Name`` order, empty ones left out.
        var directories: [ExifDirectory]
        var missing: [Range<Int>]
    }

    private let source: SparseObjectBytes
    /// Where the TIFF header starts in the object: offsets inside are counted from here.
    let start: Int
    /// How many bytes the structure spans; nothing it points to may lie beyond.
    let length: Int
    let isBigEndian: Bool

    /// Reads the TIFF header of the structure at `start`; nil when it is not one (`II*\0` or `MM\0*`).
    init?(source: SparseObjectBytes, start: Int, length: Int) throws(ByteAccessError) {
        guard length >= 8, let header = try source.bytesIfInObject(start..<(start + 8)) else { return nil }
        switch Array(header.prefix(4)) {
        case [0x49, 0x49, 0x2A, 0x00]: isBigEndian = false
        case [0x4D, 0x4D, 0x00, 0x2A]: isBigEndian = true
        default: return nil
        }
        self.source = source
        self.start = start
        self.length = length
    }

    /// Reads every directory that can be reached with the bytes supplied.
    ///
    /// A directory or value that was not supplied is skipped and its range noted, and reading goes on: one pass
    /// names everything the supplied bytes point to.
    func read() -> Reading {
        var state = ReadingState()
        attempt(&state) { state throws(ByteAccessError) in
            try readDirectory(.ifd0, at: Int(try uint32(at: 4)), into: &state)
        }
        if let thumbnail = thumbnail(state.tags[.ifd1] ?? []) { state.add(thumbnail, to: .ifd1) }
        let directories = ExifDirectory.Name.allCases.compactMap { name -> ExifDirectory? in
            guard let tags = state.tags[name], !tags.isEmpty else { return nil }
            return ExifDirectory(name: name, tags: tags)
        }
        return Reading(directories: directories, missing: state.missing)
    }

    private struct ReadingState {
        var tags: [ExifDirectory.Name: [ExifTag]] = [:]
        var visitedOffsets: Set<Int> = []
        var missing: [Range<Int>] = []

        /// A tag name appears once in a directory: a later entry replaces an earlier one, as in exiftool's JSON.
        mutating func add(_ tag: ExifTag, to directory: ExifDirectory.Name) {
            if let index = tags[directory]?.firstIndex(where: { $0.name == tag.name }) {
                tags[directory]?[index] = tag
            } else {
                tags[directory, default: []].append(tag)
            }
        }
    }

    /// Runs `step`; the bytes it lacked are noted, a corrupt offset ends just the step.
    private func attempt(
        _ state: inout ReadingState,
        _ step: (inout ReadingState) throws(ByteAccessError) -> Void
    ) {
        do {
            try step(&state)
        } catch {
            if case .missing(let range) = error { state.missing.append(range) }
        }
    }

    /// One IFD entry: 12 bytes at `position`.
    private struct Entry {
        var position: Int
        var tag: UInt16
        /// nil for a type TIFF does not define.
        var type: TIFFFieldType?
        var count: Int
    }

    private func readDirectory(
        _ name: ExifDirectory.Name,
        at offset: Int,
        into state: inout ReadingState
    ) throws(ByteAccessError) {
        // An IFD cannot start inside the 8-byte header; one already read would repeat (a loop).
        guard offset >= 8, state.visitedOffsets.count < Self.mostDirectories,
            state.visitedOffsets.insert(offset).inserted
        else { return }
        let declared = Int(try uint16(at: offset))
        let entryCount = min(declared, max(0, (length - offset - 2) / 12))
        let entriesEnd = offset + 2 + 12 * entryCount
        let hasNextLink = name == .ifd0 && entryCount == declared && entriesEnd <= length - 4
        // The entry table in one piece, so that a reader of the head asks for it in one range.
        _ = try slice(offset, entriesEnd - offset + (hasNextLink ? 4 : 0))
        for index in 0..<entryCount {
            let entry = try entry(at: offset + 2 + 12 * index)
            guard let type = entry.type else {
                // A bad type in the first entry means this is not a directory at all, as exiftool decides.
                if index == 0 { return }
                continue
            }
            attempt(&state) { state throws(ByteAccessError) in
                if name != .gps, let subdirectory = Self.subdirectory(pointedToBy: entry.tag) {
                    if let subdirectoryOffset = try pointer(in: entry, type: type) {
                        try readDirectory(subdirectory, at: subdirectoryOffset, into: &state)
                    }
                } else if name == .gps || !Self.skippedTags.contains(entry.tag),
                    let tag = try value(of: entry, type: type, in: name, directoryBytes: offset..<entriesEnd)
                {
                    state.add(tag, to: name)
                }
            }
        }
        if hasNextLink {
            let next = Int(try uint32(at: entriesEnd))
            if next != 0 { try readDirectory(.ifd1, at: next, into: &state) }
        }
    }

    private func entry(at position: Int) throws(ByteAccessError) -> Entry {
        Entry(
            position: position, tag: try uint16(at: position),
            type: TIFFFieldType(rawValue: try uint16(at: position + 2)), count: Int(try uint32(at: position + 4)))
    }

    /// The directory a pointer tag of IFD0, IFD1, ExifIFD or InteropIFD leads to.
    private static func subdirectory(pointedToBy tag: UInt16) -> ExifDirectory.Name? {
        switch tag {
        case 0x8769: .exifIFD
        case 0x8825: .gps
        case 0xA005: .interopIFD
        default: nil
        }
    }

    /// Tags that are not values: the MakerNote (not followed; exiftool reports it as its own MakerNotes group, never
    /// in ExifIFD), and pointers to structures this reader does not follow (SubIFDs, ICC profile, GlobalParameters).
    private static let skippedTags: Set<UInt16> = [0x927C, 0x014A, 0x8773, 0x0190]

    /// The offset a pointer entry holds (its first value), nil when it is not an integer.
    private func pointer(in entry: Entry, type: TIFFFieldType) throws(ByteAccessError) -> Int? {
        guard type.isInteger, entry.count >= 1 else { return nil }
        let location = entry.count * type.size <= 4 ? entry.position + 8 : Int(try uint32(at: entry.position + 8))
        switch type.size {
        case 1: return Int(try slice(location, 1).first!)
        case 2: return Int(try uint16(at: location))
        default: return Int(try uint32(at: location))
        }
    }

    private func value(
        of entry: Entry,
        type declaredType: TIFFFieldType,
        in directory: ExifDirectory.Name,
        directoryBytes: Range<Int>
    ) throws(ByteAccessError) -> ExifTag? {
        let definition = ExifTagNames.definition(for: entry.tag, in: directory)
        let byteCount = entry.count * declaredType.size
        var type = declaredType == .undefined && entry.count == 1 ? .byte : declaredType
        var count = entry.count
        if let readType = definition?.readType {
            if readType != declaredType { count = byteCount / readType.size }
            type = readType
        }
        // exiftool ignores numeric arrays this long, and does not decode long ones of tags it does not know.
        if type.isNumeric && count > 100_000 { return nil }
        guard byteCount <= 0x7FFF_FFFF else { return nil }
        let name = definition?.name ?? ExifTagNames.unknownName(for: entry.tag)
        if definition == nil, type.isNumeric, count > 500 {
            return ExifTag(
                id: entry.tag, name: name, value: .text("(large array of \(count) \(type.exiftoolName) values)"))
        }
        var location = entry.position + 8
        if byteCount > 4 {
            location = Int(try uint32(at: entry.position + 8))
            // exiftool skips values said to be in the header or on top of the directory as suspicious.
            let overlapsDirectory =
                location < directoryBytes.upperBound && location + byteCount > directoryBytes.lowerBound
            guard location >= 8, !overlapsDirectory else { return nil }
        }
        guard location <= length - byteCount else { return nil }
        let isMeasuredOnly =
            (definition?.conversion == .binary && type == .undefined) || byteCount > Self.largestValueRead
            || (definition == nil && type == .undefined && byteCount > 64)
        if isMeasuredOnly { return ExifTag(id: entry.tag, name: name, value: .binary(byteCount: byteCount)) }
        var text = type.exiftoolText(of: try slice(location, byteCount), count: count, bigEndian: isBigEndian)
        if definition?.isOffset == true { text = fromFileStart(text) }
        let conversion = definition?.conversion ?? .none
        return ExifTag(id: entry.tag, name: name, value: conversion.apply(to: text, bigEndian: isBigEndian))
    }

    /// The thumbnail IFD1 points to, measured as exiftool's Composite ThumbnailImage (reported in IFD1) measures it:
    /// only when it lies within the object. It carries ThumbnailOffset's tag number.
    private func thumbnail(_ tags: [ExifTag]) -> ExifTag? {
        func number(_ name: String) -> Int? {
            tags.first { $0.name == name }?.value.doubleValue.flatMap { Int(exactly: $0) }
        }
        guard let offset = number("ThumbnailOffset"), let length = number("ThumbnailLength"), length > 0,
            offset >= 0, offset <= source.objectLength - length
        else { return nil }
        return ExifTag(id: 0x0201, name: "ThumbnailImage", value: .binary(byteCount: length))
    }

    /// Offsets counted from the start of the file, as exiftool reports them, rather than from the TIFF header.
    private func fromFileStart(_ text: [UInt8]) -> [UInt8] {
        let shifted = text.split(separator: 0x20).map { ExiftoolText.numericValue(Array($0)) + Double(start) }
        return Array(shifted.map(ExiftoolText.number).joined(separator: " ").utf8)
    }

    private func slice(_ offset: Int, _ count: Int) throws(ByteAccessError) -> ArraySlice<UInt8> {
        guard offset >= 0, count >= 0, offset <= length - count else { throw .outOfBounds }
        return try source.bytes((start + offset)..<(start + offset + count))
    }

    private func uint16(at offset: Int) throws(ByteAccessError) -> UInt16 {
        let bytes = try slice(offset, 2)
        let first = UInt16(bytes[bytes.startIndex])
        let second = UInt16(bytes[bytes.startIndex + 1])
        return isBigEndian ? first << 8 | second : second << 8 | first
    }

    private func uint32(at offset: Int) throws(ByteAccessError) -> UInt32 {
        let bytes = try slice(offset, 4)
        let ordered = isBigEndian ? Array(bytes) : bytes.reversed()
        return ordered.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
