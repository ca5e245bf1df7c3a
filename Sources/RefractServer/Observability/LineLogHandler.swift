import Foundation
public import Logging
import RefractStorage
import Synchronization

/// A log handler that writes one line per event to standard output (or error), as text or as a JSON object.
///
/// Lines are written whole under a lock, so concurrent requests never interleave their access lines.
public struct LineLogHandler: LogHandler {
    /// How each line is written.
    public enum Format: Sendable {
        /// `2026-11-23T09:40:01.123Z info access method=GET status=200 ...`
        case text
        /// `{"time":"...","level":"info","message":"access","method":"GET",...}`
        case json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: Format
    private let output: FileHandle
    private static let outputLock = Mutex(())

    /// A handler writing to standard output, or to standard error when `toStandardError` (a command whose
    /// standard output is its result, as `refract invoke`'s).
    public init(label: String, format: Format, level: Logger.Level, toStandardError: Bool = false) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.output = toStandardError ? .standardError : .standardOutput
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        let time = HTTPDate.iso8601(Date())
        let line: String
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quotedIfNeeded("\($0.value)"))" }
            line = ([time, event.level.rawValue, event.message.description] + fields).joined(separator: " ")
        case .json:
            var object: [String: Any] = [
                "time": time, "level": event.level.rawValue, "message": event.message.description,
            ]
            for (key, value) in merged {
                object[key] = Self.jsonValue(value)
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        Self.outputLock.withLock { _ in output.write(Data((line + "\n").utf8)) }
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
            ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible):
            if let number = convertible as? Int {
                number
            } else if let number = convertible as? Double {
                number
            } else {
                "\(convertible)"
            }
        case .array(let values): values.map(jsonValue)
        case .dictionary(let values): values.mapValues(jsonValue)
        }
    }
}
