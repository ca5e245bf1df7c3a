import ArgumentParser
import Foundation
import RefractServer

/// `refract sign PATH --ttl 1h`: a transform URL path with the query that signs it.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a transform URL path with the first key of security.signing.",
        discussion: """
            PATH is the URL path as it goes on the wire, percent-encoding and transform suffix included \
            (/photos/cat.jpg!resize:w=300). Prints PATH?exp=...&sig=...
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The path to sign, e.g. /photos/cat.jpg!resize:w=300.")
    var path: String

    @Option(help: "How long the URL stays valid: a number with a unit s, m, h or d (30m, 1h, 7d).")
    var ttl: TimeToLive = TimeToLive(seconds: 3600)

    func run() throws {
        let configuration = try options.load()
        guard !configuration.security.signing.keys.isEmpty else {
            throw startupFailure("security.signing.keys is empty: there is no key to sign with")
        }
        guard path.hasPrefix("/"), !path.contains("?") else {
            throw ValidationError("PATH starts with '/' and has no query: /bucket/key!step")
        }
        let signer = URLSigner(keys: configuration.security.signing.keys)
        print("\(path)?\(signer.query(path: path, expiry: Date().addingTimeInterval(ttl.seconds)))")
    }
}

/// A `--ttl` value: digits and one unit.
struct TimeToLive: ExpressibleByArgument {
    private static let unitSeconds: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]

    let seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    init?(argument: String) {
        guard let unit = argument.last, let multiplier = Self.unitSeconds[unit],
            let count = Int(argument.dropLast()), count > 0
        else { return nil }
        seconds = Double(count) * multiplier
    }

    var defaultValueDescription: String { "1h" }
}
