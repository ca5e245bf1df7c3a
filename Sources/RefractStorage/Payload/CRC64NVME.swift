/// A running CRC-64/NVME (`x-amz-checksum-crc64nvme`): reflected polynomial 0x9A6C9329AC4BC9B5.
public struct CRC64NVME: Sendable, Equatable {
    private static let table = ReflectedCRCTable<UInt64>(reflectedPolynomial: 0x9A6C_9329_AC4B_C9B5)

    private var register: UInt64 = .max

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        register = Self.table.update(register, with: bytes)
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The CRC of the bytes so far.
    public var value: UInt64 { ~register }
}
