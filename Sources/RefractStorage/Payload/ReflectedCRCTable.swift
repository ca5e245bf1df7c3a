/// Slicing-by-8 lookup tables for a reflected CRC of 32 or 64 bits.
///
/// Entry `k * 256 + b` is the CRC register after byte `b` followed by `k` zero bytes, so eight input bytes fold
/// into the register with eight independent lookups instead of eight dependent ones.
struct ReflectedCRCTable<Word: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    private let entries: [Word]

    init(reflectedPolynomial polynomial: Word) {
        var entries = [Word](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = Word(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            entries[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = entries[(slice - 1) * 256 + byte]
                entries[slice * 256 + byte] = (previous >> 8) ^ entries[Int(truncatingIfNeeded: previous & 0xff)]
            }
        }
        self.entries = entries
    }

    /// The register after `bytes`; the caller applies the CRC's initial value and final XOR.
    func update(_ register: Word, with bytes: UnsafeRawBufferPointer) -> Word {
        entries.withUnsafeBufferPointer { table in
            var crc = register
            var offset = 0
            let count = bytes.count
            while offset + 8 <= count {
                // The register's bytes line up with the first input bytes: XOR them in, then look up all eight.
                let block =
                    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    ^ UInt64(truncatingIfNeeded: crc)
                let low =
                    table[7 * 256 + Int(block & 0xff)] ^ table[6 * 256 + Int(block >> 8 & 0xff)]
                    ^ table[5 * 256 + Int(block >> 16 & 0xff)] ^ table[4 * 256 + Int(block >> 24 & 0xff)]
                let high =
                    table[3 * 256 + Int(block >> 32 & 0xff)] ^ table[2 * 256 + Int(block >> 40 & 0xff)]
                    ^ table[1 * 256 + Int(block >> 48 & 0xff)] ^ table[Int(block >> 56)]
                crc = low ^ high
                offset += 8
            }
            while offset < count {
                crc = table[Int(truncatingIfNeeded: (crc ^ Word(bytes[offset])) & 0xff)] ^ (crc >> 8)
                offset += 1
            }
            return crc
        }
    }
}
