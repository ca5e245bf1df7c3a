import Foundation
import Testing

@testable import RefractServer

@Suite("Configuration: sizes, durations, keys and names")
struct ConfigurationSyntaxTests {
    @Test(arguments: [
        ("8000", 8000),
        ("0", 0),
        ("50MiB", 52_428_800),
        ("256KiB", 262_144),
        ("1GiB", 1_073_741_824),
        ("2TiB", 2_199_023_255_552),
        ("10MB", 10_000_000),
        ("64kB", 64_000),
        ("3GB", 3_000_000_000),
        ("1.5KiB", 1536),
        ("512 B", 512),
        ("50mib", 52_428_800),
        ("50_000_000", 50_000_000),
        (" 1MiB ", 1_048_576),
    ])
    func sizes(text: String, bytes: Int) {
        #expect(ByteCountSyntax.parse(text) == bytes)
    }

    @Test(arguments: [
        "lots", "", "MiB", "-1", "1.5", "0.1B", "10 M", "10K", "1e3", "5 MiB extra", "1__000", "99999999TiB",
    ])
    func notSizes(text: String) {
        #expect(ByteCountSyntax.parse(text) == nil)
    }

    @Test(arguments: [
        ("10s", Duration.seconds(10)),
        ("250ms", .milliseconds(250)),
        ("5m", .seconds(300)),
        ("1h", .seconds(3600)),
        ("1d", .seconds(86400)),
        ("10", .seconds(10)),
        ("0.5", .milliseconds(500)),
        ("1.5s", .milliseconds(1500)),
        ("0", .zero),
        ("2 h", .seconds(7200)),
        ("30S", .seconds(30)),
    ])
    func durations(text: String, duration: Duration) {
        #expect(DurationSyntax.parse(text) == duration)
    }

    @Test(arguments: ["soon", "", "s", "-1s", "10w", "1h30m", "10 seconds", ".5s", "1e3s"])
    func notDurations(text: String) {
        #expect(DurationSyntax.parse(text) == nil)
    }

    @Test(
        arguments: [
            ("00ff10", [0x00, 0xFF, 0x10]),
            ("DEADbeef", [0xDE, 0xAD, 0xBE, 0xEF]),
            // Odd-length hex digits cannot be hex: they are read as base64.
            ("abc", [0x69, 0xB7]),
            ("c2VjcmV0", Array("secret".utf8)),
            ("c2VjcmV0IQ==", Array("secret!".utf8)),
            ("c2VjcmV0IQ", Array("secret!".utf8)),
            ("-_-_", [0xFB, 0xFF, 0xBF]),
            ("+/+/", [0xFB, 0xFF, 0xBF]),
        ] as [(String, [UInt8])])
    func signingKeys(text: String, bytes: [UInt8]) {
        #expect(SigningConfiguration.decodeKey(text) == bytes)
    }

    @Test func base64KeysDecodeAsFoundationDoes() throws {
        let key = Array("a 32-byte key for signed URLs!!!".utf8)
        let encoded = Data(key).base64EncodedString()
        #expect(SigningConfiguration.decodeKey(encoded) == key)
    }

    @Test(arguments: ["", "not a key!", "abcde", "ab=c", "a===", "=="])
    func notSigningKeys(text: String) {
        #expect(SigningConfiguration.decodeKey(text) == nil)
    }

    @Test(arguments: [
        ("photos", true),
        ("abc", true),
        ("media.example.com", true),
        ("my-bucket-2", true),
        (String(repeating: "a", count: 63), true),
        ("ab", false),
        (String(repeating: "a", count: 64), false),
        ("Photos", false),
        ("my_bucket", false),
        ("-photos", false),
        ("photos-", false),
        (".photos", false),
        ("my..bucket", false),
        ("192.168.1.1", false),
        ("_refract", false),
        ("xn--photos", false),
        ("photos-s3alias", false),
    ])
    func bucketNames(name: String, isValid: Bool) {
        #expect(BucketConfiguration.isValidName(name) == isValid)
    }
}
