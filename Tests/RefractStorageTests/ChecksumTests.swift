import Foundation
import Testing

@testable import RefractStorage

@Suite struct ChecksumTests {
    static let check = Array("123456789".utf8)

    /// The catalogue check values (reveng.sourceforge.io) of "123456789".
    @Test func computesTheStandardCheckValues() {
        var crc32 = CRC32(.ieee)
        crc32.update(Self.check)
        #expect(crc32.value == 0xCBF4_3926)
        var crc32c = CRC32(.castagnoli)
        crc32c.update(Self.check)
        #expect(crc32c.value == 0xE306_9283)
        var crc64 = CRC64NVME()
        crc64.update(Self.check)
        #expect(crc64.value == 0xAE8B_1486_0A79_9888)
    }

    @Test func startsFromTheEmptyChecksum() {
        #expect(CRC32(.ieee).value == 0)
        #expect(CRC32(.castagnoli).value == 0)
        #expect(CRC64NVME().value == 0)
    }

    /// Every split of a buffer gives the one-pass value, whatever the alignment of the eight-byte blocks.
    @Test func updatesIncrementally() {
        var generator = SplitMix64(seed: 7)
        let bytes = (0..<203).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for polynomial in [CRC32.Polynomial.ieee, .castagnoli] {
            var whole = CRC32(polynomial)
            whole.update(bytes)
            #expect(whole.value == Self.bitwiseCRC32(bytes, polynomial: polynomial))
            for cut in 0...bytes.count {
                var parts = CRC32(polynomial)
                parts.update(bytes[..<cut])
                parts.update(bytes[cut...])
                #expect(parts.value == whole.value, "cut at \(cut)")
            }
        }
        var whole = CRC64NVME()
        whole.update(bytes)
        #expect(whole.value == Self.bitwiseCRC64NVME(bytes))
        for cut in 0...bytes.count {
            var parts = CRC64NVME()
            parts.update(bytes[..<cut])
            parts.update(bytes[cut...])
            #expect(parts.value == whole.value, "cut at \(cut)")
        }
    }

    @Test func readsTheAlgorithmNames() {
        #expect(ChecksumAlgorithm(headerName: "X-Amz-Checksum-CRC64NVME") == .crc64nvme)
        #expect(ChecksumAlgorithm(headerName: "x-amz-checksum-sha1") == .sha1)
        #expect(ChecksumAlgorithm(headerName: "x-amz-checksum-algorithm") == nil)
        #expect(ChecksumAlgorithm(headerName: "x-amz-checksum-type") == nil)
        #expect(ChecksumAlgorithm(name: "crc32c") == .crc32c)
        #expect(ChecksumAlgorithm.crc32c.headerName == "x-amz-checksum-crc32c")
    }

    /// Prints each checksum's throughput; asserts only that all three ran over the same bytes. Build with
    /// `-c release` for meaningful numbers.
    @Test func measuresThroughput() {
        let size = 32 << 20
        var generator = SplitMix64(seed: 1)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { buffer in
            for offset in stride(from: 0, to: size, by: 8) {
                buffer.storeBytes(of: generator.next(), toByteOffset: offset, as: UInt64.self)
            }
        }
        let clock = ContinuousClock()
        var values: [UInt64] = []
        for (name, run) in [
            (
                "CRC32",
                { (bytes: UnsafeRawBufferPointer) -> UInt64 in
                    var crc = CRC32(.ieee)
                    crc.update(bytes)
                    return UInt64(crc.value)
                }
            ),
            (
                "CRC32C",
                { bytes in
                    var crc = CRC32(.castagnoli)
                    crc.update(bytes)
                    return UInt64(crc.value)
                }
            ),
            (
                "CRC64NVME",
                { bytes in
                    var crc = CRC64NVME()
                    crc.update(bytes)
                    return crc.value
                }
            ),
        ] {
            var value: UInt64 = 0
            let elapsed = clock.measure { value = bytes.withUnsafeBytes(run) }
            values.append(value)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("\(name): \(Int(Double(size) / seconds / 1_048_576)) MB/s over \(size >> 20) MiB")
        }
        #expect(values.count == 3)
    }

    // Bit-at-a-time references, straight from the definitions, to check the table-driven code against.
    static func bitwiseCRC32(_ bytes: [UInt8], polynomial: CRC32.Polynomial) -> UInt32 {
        let reflected: UInt32 = polynomial == .ieee ? 0xEDB8_8320 : 0x82F6_3B78
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ reflected : crc >> 1 }
        }
        return ~crc
    }

    static func bitwiseCRC64NVME(_ bytes: [UInt8]) -> UInt64 {
        var crc = UInt64.max
        for byte in bytes {
            crc ^= UInt64(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x9A6C_9329_AC4B_C9B5 : crc >> 1 }
        }
        return ~crc
    }
}

/// A small deterministic generator, so test data is the same on every run.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
