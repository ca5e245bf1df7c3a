/// A configuration that cannot be used: where it is (file, line, column, key path) and what is wrong with it.
///
/// The `description` is the message shown at start, e.g.
/// `refract.yml:4:12: server.port: expected an integer in 0...65535, got 70000`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file, when the configuration came from one.
    public let file: String?
    /// The line of the offending value (from 1), when known.
    public let line: Int?
    /// The column of the offending value (from 1), when known.
    public let column: Int?
    /// The key path of the offending value (`buckets.photos.store`, `security.users[1].allow[0]`); empty for
    /// the document itself.
    public let path: String
    /// What is wrong, e.g. `no store named "nas" (stores: local, main)`.
    public let problem: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, path: String = "", problem: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.problem = problem
    }

    /// `FILE:LINE:COLUMN: PATH: PROBLEM`, leaving out what is not known (`line L, column C` without a file).
    public var description: String {
        var location: String?
        switch (file, line, column) {
        case (let file?, let line?, let column?): location = "\(file):\(line):\(column)"
        case (let file?, _, _): location = file
        case (nil, let line?, let column?): location = "line \(line), column \(column)"
        default: location = nil
        }
        return [location, path.isEmpty ? nil : path, problem].compactMap { $0 }.joined(separator: ": ")
    }
}
