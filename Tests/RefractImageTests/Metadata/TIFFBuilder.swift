/// Builds TIFF structures byte by byte, for tests that need field types or damage no tool writes.
struct TIFFBuilder {
    struct Field {
        var tag: UInt16
        var type: UInt16
        var count: UInt32
        /// The value's bytes, already in the builder's byte order; written inline when 4 bytes or fewer.
        var data: [UInt8]
        /// Set for pointer fields: the value is the offset of this directory, patched in when laid out.
        var pointsTo: Int?
        /// Set to write this offset instead of where the data lands (a corrupt pointer).
        var forcedOffset: UInt32?
    }

    struct Directory {
        var fields: [Field] = []
        /// The next-IFD link: another directory's index, or nil for 0.
        var next: Int?
        /// Set to write this instead of the laid-out next-IFD offset.
        var forcedNext: UInt32?
    }

    let bigEndian: Bool
    var directories: [Directory] = [Directory()]

    init(bigEndian: Bool) {
        self.bigEndian = bigEndian
    }

    func u16(_ value: UInt16) -> [UInt8] {
        bigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    func u32(_ value: UInt32) -> [UInt8] {
        let bytes = [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        return bigEndian ? bytes : bytes.reversed()
    }

    func u64(_ value: UInt64) -> [UInt8] {
        let bytes = (0..<8).map { UInt8(value >> (56 - 8 * $0) & 0xFF) }
        return bigEndian ? bytes : bytes.reversed()
    }

    mutating func add(
        _ tag: UInt16, type: UInt16, count: UInt32, data: [UInt8], in directory: Int = 0, forcedOffset: UInt32? = nil
    ) {
        directories[directory].fields.append(
            Field(tag: tag, type: type, count: count, data: data, pointsTo: nil, forcedOffset: forcedOffset))
    }

    mutating func ascii(_ tag: UInt16, _ text: String, in directory: Int = 0) {
        let data = Array(text.utf8) + [0]
        add(tag, type: 2, count: UInt32(data.count), data: data, in: directory)
    }

    mutating func shorts(_ tag: UInt16, _ values: [UInt16], in directory: Int = 0) {
        add(tag, type: 3, count: UInt32(values.count), data: values.flatMap(u16), in: directory)
    }

    mutating func longs(_ tag: UInt16, _ values: [UInt32], in directory: Int = 0) {
        add(tag, type: 4, count: UInt32(values.count), data: values.flatMap(u32), in: directory)
    }

    mutating func rationals(_ tag: UInt16, _ values: [(UInt32, UInt32)], signed: Bool = false, in directory: Int = 0) {
        add(
            tag, type: signed ? 10 : 5, count: UInt32(values.count), data: values.flatMap { u32($0.0) + u32($0.1) },
            in: directory)
    }

    /// Adds a directory and a pointer to it (`tag`, of `type` LONG or IFD) in `parent`; returns its index.
    mutating func subdirectory(_ tag: UInt16, in parent: Int = 0, type: UInt16 = 4) -> Int {
        directories.append(Directory())
        let index = directories.count - 1
        directories[parent].fields.append(
            Field(tag: tag, type: type, count: 1, data: [0, 0, 0, 0], pointsTo: index, forcedOffset: nil))
        return index
    }

    /// The TIFF bytes: header, then each directory followed by the values that do not fit in their entries.
    func build() -> [UInt8] {
        var offsets: [Int] = []
        var position = 8
        for directory in directories {
            offsets.append(position)
            position += 2 + 12 * directory.fields.count + 4
            for field in directory.fields where field.data.count > 4 && field.forcedOffset == nil {
                position += field.data.count + (field.data.count & 1)
            }
        }
        var bytes: [UInt8] = bigEndian ? [0x4D, 0x4D, 0x00, 0x2A] : [0x49, 0x49, 0x2A, 0x00]
        bytes += u32(8)
        for (index, directory) in directories.enumerated() {
            var values: [UInt8] = []
            var valuePosition = offsets[index] + 2 + 12 * directory.fields.count + 4
            bytes += u16(UInt16(directory.fields.count))
            for field in directory.fields {
                bytes += u16(field.tag) + u16(field.type) + u32(field.count)
                if let target = field.pointsTo {
                    bytes += u32(UInt32(offsets[target]))
                } else if let forced = field.forcedOffset {
                    bytes += u32(forced)
                } else if field.data.count <= 4 {
                    bytes += field.data + [UInt8](repeating: 0, count: 4 - field.data.count)
                } else {
                    bytes += u32(UInt32(valuePosition))
                    values += field.data + (field.data.count & 1 == 1 ? [0] : [])
                    valuePosition += field.data.count + (field.data.count & 1)
                }
            }
            if let forced = directory.forcedNext {
                bytes += u32(forced)
            } else {
                bytes += u32(directory.next.map { UInt32(offsets[$0]) } ?? 0)
            }
            bytes += values
        }
        return bytes
    }
}
