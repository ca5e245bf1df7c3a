import Foundation
import RefractCore

/// What an exec plugin learns about its request, as the JSON of the file named by `$REFRACT_EVENT`.
///
/// ```json
/// {"requestId": "...", "transform": {"name", "version", "parameters": {...}},
///  "source": {"bucket", "key", "contentType", "size", "etag", "lastModified", "metadata": {...}},
///  "input": {"contentType", "size"}, "userRequest": {"url", "headers": {...}}, "payload", "deadline"}
/// ```
/// Sizes and `lastModified` are null when unknown, and so is `payload` outside an access point; `payload` is the
/// access point's JSON text as a string, as S3 Object Lambda's `configuration.payload` is. Times are ISO 8601 UTC
/// with milliseconds.
struct ExecEvent: Sendable {
    var requestID: String
    var transformName: String
    var transformVersion: String
    var parameters: TransformParameters
    var source: SourceMetadata
    var inputContentType: String
    var inputSize: Int?
    var requestURL: String
    var requestHeaders: [String: String]
    var payload: String?
    /// When the run is stopped: the plugin's timeout or the request's deadline, whichever comes first.
    var deadline: Date

    init(descriptor: TransformDescriptor, input: TransformInput, context: TransformContext, deadline: Date) {
        self.requestID = context.requestID
        self.transformName = descriptor.name
        self.transformVersion = descriptor.version
        self.parameters = context.parameters
        self.source = context.source
        self.inputContentType = input.contentType
        self.inputSize = input.contentLength
        self.requestURL = context.requestURL
        self.requestHeaders = context.requestHeaders
        self.payload = context.payload
        self.deadline = deadline
    }

    /// The event as JSON text, keys in a fixed order.
    var json: String {
        let transform = Self.object([
            ("name", transformName.jsonQuoted),
            ("version", transformVersion.jsonQuoted),
            ("parameters", Self.object(parameters.values.sorted { $0.key < $1.key }.map { ($0, Self.jsonValue($1)) })),
        ])
        let source = Self.object([
            ("bucket", self.source.bucket.jsonQuoted),
            ("key", self.source.key.jsonQuoted),
            ("contentType", self.source.contentType.jsonQuoted),
            ("size", self.source.contentLength.map(String.init) ?? "null"),
            ("etag", self.source.etag.jsonQuoted),
            ("lastModified", self.source.lastModified.map { Self.timestamp($0).jsonQuoted } ?? "null"),
            ("metadata", Self.object(Self.stringMembers(self.source.userMetadata))),
        ])
        let input = Self.object([
            ("contentType", inputContentType.jsonQuoted),
            ("size", inputSize.map(String.init) ?? "null"),
        ])
        let userRequest = Self.object([
            ("url", requestURL.jsonQuoted),
            ("headers", Self.object(Self.stringMembers(requestHeaders))),
        ])
        return Self.object([
            ("requestId", requestID.jsonQuoted),
            ("transform", transform),
            ("source", source),
            ("input", input),
            ("userRequest", userRequest),
            ("payload", payload?.jsonQuoted ?? "null"),
            ("deadline", Self.timestamp(deadline).jsonQuoted),
        ])
    }

    /// A JSON object of members whose values are already JSON.
    private static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\($0.jsonQuoted): \($1)" }.joined(separator: ", ") + "}"
    }

    /// The members of a JSON object of strings, in key order.
    private static func stringMembers(_ strings: [String: String]) -> [(String, String)] {
        strings.sorted { $0.key < $1.key }.map { ($0, $1.jsonQuoted) }
    }

    private static func jsonValue(_ value: ParameterValue) -> String {
        switch value {
        case .integer(let integer): String(integer)
        case .number(let number): number.isFinite ? String(number) : "null"
        case .boolean(let boolean): String(boolean)
        case .string(let string): string.jsonQuoted
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
