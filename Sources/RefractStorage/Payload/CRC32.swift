/// A running CRC-32: IEEE 802.3's (zlib, `x-amz-checksum-crc32`) or Castagnoli's (`x-amz-checksum-crc32c`).
public struct CRC32: Sendable, Equatable {
    public enum Polynomial: Sendable, Equatable {
        /// CRC-32/ISO-HDLC, reflected polynomial 0xEDB88320.
        case ieee
        /// CRC-32C, reflected polynomial 0x82F63B78.
        case castagnoli
    }

    private static let ieeeTable = ReflectedCRCTable<UInt32>(reflectedPolynomial: 0xEDB8_8320)
    private static let castagnoliTable = ReflectedCRCTable<UInt32>(reflectedPolynomial: 0x82F6_3B78)

    public let polynomial: Polynomial
    private var register: UInt32 = 0xFFFF_FFFF

    public init(_ polynomial: Polynomial = .ieee) {
        self.polynomial = polynomial
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let table = polynomial == .ieee ? Self.ieeeTable : Self.castagnoliTable
        register = table.update(register, with: bytes)
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The CRC of the bytes so far.
    public var value: UInt32 { ~register }
}
