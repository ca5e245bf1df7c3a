import Foundation

/// A valid PNG of black 1-bit pixels that declares any size yet takes little room: its all-zero pixel rows compress
/// to runs of back-references (deflate's fixed codes, 13 bits per 258 bytes). A 30000×30000 one is under 1 MB; its
/// pixels would take gigabytes.
enum LargePNG {
    static func make(width: Int, height: Int) -> Data {
        let rowBytes = 1 + (width + 7) / 8
        let pixelBytes = rowBytes * height

        var deflate = BitWriter()
        deflate.write(1, bitCount: 1)  // the last block
        deflate.write(1, bitCount: 2)  // fixed Huffman codes
        deflate.writeCode(0x30, length: 8)  // literal 0
        var remaining = pixelBytes - 1
        while remaining >= 258 {
            deflate.writeCode(0xC5, length: 8)  // length 258 (symbol 285)
            deflate.writeCode(0, length: 5)  // distance 1
            remaining -= 258
        }
        for _ in 0..<remaining {
            deflate.writeCode(0x30, length: 8)
        }
        deflate.writeCode(0, length: 7)  // end of block (symbol 256)

        // Adler-32 of zeros: the sum of bytes stays 0, so A = 1 and B = 1 per byte.
        let adler = UInt32(pixelBytes % 65521) << 16 | 1
        let zlib = [0x78, 0x01] + deflate.bytes + bigEndian(adler)

        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [1, 0, 0, 0, 0]  // bit depth 1, greyscale, deflate, adaptive filters, no interlace
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png += chunk("IHDR", header)
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return png
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> Data {
        let typeAndData = Array(type.utf8) + data
        return Data(bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData)))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}

/// Deflate's bit order: values from their lowest bit, Huffman codes from their highest.
private struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var bitIndex = 0

    mutating func write(_ value: Int, bitCount: Int) {
        for bit in 0..<bitCount {
            append(value >> bit & 1)
        }
    }

    mutating func writeCode(_ code: Int, length: Int) {
        for bit in (0..<length).reversed() {
            append(code >> bit & 1)
        }
    }

    private mutating func append(_ bit: Int) {
        if bitIndex == 0 {
            bytes.append(0)
        }
        bytes[bytes.count - 1] |= UInt8(bit << bitIndex)
        bitIndex = (bitIndex + 1) % 8
    }
}
