import Foundation

/// Source images made once per test run with `convert` and `exiftool`, in a temporary directory.
final class Fixtures: Sendable {
    private static let made = Task { try await Fixtures() }

    /// The fixtures, made on first use; a failure to make them fails every test that needs them.
    static func shared() async throws -> Fixtures { try await made.value }

    let directory: TemporaryDirectory

    /// The corner colours of `quadrants.png`, clockwise from the top left, as the upright picture shows them.
    static let quadrantColors: [RGBA] = [.red, .green, .yellow, .blue]

    /// What `convert` does to the upright picture to store it under EXIF Orientation 1...8: the inverse of what a
    /// viewer does to show it.
    static let storedForOrientation: [Int: [String]] = [
        1: [],
        2: ["-flop"],
        3: ["-rotate", "180"],
        4: ["-flip"],
        5: ["-transpose"],
        6: ["-rotate", "-90"],
        7: ["-transverse"],
        8: ["-rotate", "90"],
    ]

    private init() async throws {
        directory = try TemporaryDirectory(name: "refract-image-test-fixtures-\(getuid())")
        func convert(_ arguments: [String], _ name: String) async throws {
            try await Tools.convert(arguments + [directory.path(name)])
        }
        try await convert(["-size", "400x300", "gradient:#ff0000-#0000ff", "-quality", "90"], "landscape.jpg")
        try await convert(["-size", "300x400", "gradient:#ff0000-#0000ff", "-quality", "90"], "portrait.jpg")
        try await convert(
            ["-size", "200x300", "xc:#ff0000", "-size", "200x300", "xc:#0000ff", "+append"], "halves.png")
        // Odd sizes, big enough for the JPEG decode hint, the same picture as JPEG and PNG.
        try await convert(
            ["-size", "1001x749", "xc:#ff0000", "-size", "1000x749", "xc:#0000ff", "+append", "-quality", "95"],
            "wide-halves.jpg"
        )
        try await convert([directory.path("wide-halves.jpg")], "wide-halves.png")
        // 60×40, upright: red top left, green top right, blue bottom left, yellow bottom right.
        try await convert(
            [
                "(", "-size", "30x20", "xc:#ff0000", "xc:#00ff00", "+append", ")",
                "(", "-size", "30x20", "xc:#0000ff", "xc:#ffff00", "+append", ")",
                "-append",
            ],
            "quadrants.png"
        )
        for (orientation, transform) in Self.storedForOrientation {
            let name = "orientation-\(orientation).jpg"
            try await convert([directory.path("quadrants.png")] + transform + ["-quality", "95"], name)
            _ = try await Tools.exiftool([
                "-q", "-overwrite_original", "-Orientation=\(orientation)", "-n", directory.path(name),
            ])
        }
        // A photo-like JPEG with EXIF metadata, big enough that a truncation cuts through its scan.
        try await convert(["-seed", "7", "-size", "800x600", "plasma:fractal", "-quality", "90"], "photo.jpg")
        _ = try await Tools.exiftool(
            ["-q", "-overwrite_original", "-Make=RefractTest", "-Orientation=1", "-n", directory.path("photo.jpg")]
        )
        try await convert(["-seed", "7", "-size", "800x600", "plasma:fractal"], "photo.png")
        // Transparent, with an opaque red square in the middle.
        try await convert(
            ["-size", "100x100", "xc:none", "-fill", "#ff0000", "-draw", "rectangle 25,25 74,74"],
            "transparent.png"
        )
        try await convert(
            ["-delay", "10", "-size", "100x80", "xc:#ff0000", "xc:#00ff00", "xc:#0000ff", "-loop", "0"],
            "animated.gif"
        )
    }

    /// The bytes of the fixture `name`.
    func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.url.appendingPathComponent(name))
    }
}
