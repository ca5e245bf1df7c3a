public import Foundation
public import Logging
public import NIOCore

/// A transform function: takes an object's bytes as they stream and produces new bytes.
///
/// Implementations read `input.body` only as fast as they produce output, so that a streaming transform never
/// holds a whole object. Failures are `RefractError`s (`UnsupportedMediaType`, `UnprocessableSource`, ...).
/// Transforms that need the whole object conform to ``BufferedTransform`` instead.
public protocol Transform: Sendable {
    /// The name, version, parameters and accepted content types of the transform.
    var descriptor: TransformDescriptor { get }

    /// Transforms `input`; `context.parameters` holds the validated parameters of this step.
    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput

    /// Checks what single parameters cannot say (`resize` needs `w` or `h`), when the pipeline is made, before any
    /// byte is read; fails with `InvalidTransform`. The default accepts every combination.
    func check(_ parameters: TransformParameters) throws(RefractError)

    /// What the request's headers decide about this step's output, known before the source is read; nil when
    /// nothing does (the default).
    func outputVariant(parameters: TransformParameters, requestHeaders: [String: String]) -> OutputVariant?
}

extension Transform {
    public func check(_ parameters: TransformParameters) throws(RefractError) {}

    public func outputVariant(parameters: TransformParameters, requestHeaders: [String: String]) -> OutputVariant? {
        nil
    }
}

/// A transform that works on the whole object at once, gathered into memory up to `maxInputBytes`.
public protocol BufferedTransform: Transform {
    /// The largest input gathered; a larger one fails with `SourceTooLarge` before it is all read.
    var maxInputBytes: Int { get }

    /// Transforms the whole input.
    func apply(buffer: ByteBuffer, contentType: String, context: TransformContext) async throws -> TransformOutput
}

extension BufferedTransform {
    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let limit = maxInputBytes
        if let length = input.contentLength, length > limit {
            throw RefractError.sourceTooLarge(
                "The source is \(length) bytes; \(descriptor.name) takes at most \(limit).")
        }
        let buffer = try await input.body.collect(
            upTo: limit,
            tooLarge: .sourceTooLarge("The source is over \(limit) bytes, the most \(descriptor.name) takes.")
        )
        return try await apply(buffer: buffer, contentType: input.contentType, context: context)
    }
}

/// What a transform declares about itself.
public struct TransformDescriptor: Sendable {
    /// The step name used in suffixes (`resize`).
    public var name: String
    /// Part of every transformed ETag: bump it when the output for the same input changes.
    public var version: String
    public var summary: String
    public var parameters: [TransformParameter]
    /// The parameter a bare value sets (`format:webp` sets `type`).
    public var primaryParameter: String?
    /// Media types taken, exact (`image/png`) or by family (`image/*`); empty accepts everything.
    public var accepts: [String]

    public init(
        name: String,
        version: String,
        summary: String,
        parameters: [TransformParameter] = [],
        primaryParameter: String? = nil,
        accepts: [String] = []
    ) {
        self.name = name
        self.version = version
        self.summary = summary
        self.parameters = parameters
        self.primaryParameter = primaryParameter
        self.accepts = accepts
    }
}

/// One parameter a transform takes.
public struct TransformParameter: Sendable {
    /// The type of a parameter and the values it allows.
    public enum Kind: Sendable, Equatable {
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case boolean
        case string
        case choice([String])
    }

    public var name: String
    public var kind: Kind
    /// The value used when the step does not set it; nil makes the parameter optional with no value.
    public var defaultValue: ParameterValue?
    public var summary: String

    public init(name: String, kind: Kind, defaultValue: ParameterValue? = nil, summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// A validated parameter value.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case string(String)

    public var description: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .boolean(let value): String(value)
        case .string(let value): value
        }
    }
}

/// The validated parameters of one step, defaults filled in.
public struct TransformParameters: Sendable, Equatable {
    public var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> ParameterValue? { values[name] }

    public func integer(_ name: String) -> Int? {
        if case .integer(let value) = values[name] { return value }
        return nil
    }

    public func number(_ name: String) -> Double? {
        switch values[name] {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public func boolean(_ name: String) -> Bool? {
        if case .boolean(let value) = values[name] { return value }
        return nil
    }

    public func string(_ name: String) -> String? {
        if case .string(let value) = values[name] { return value }
        return nil
    }
}

/// The object a pipeline reads from, as its store describes it.
public struct SourceMetadata: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var contentType: String
    public var contentLength: Int?
    public var etag: String
    public var lastModified: Date?
    public var userMetadata: [String: String]

    public init(
        bucket: String,
        key: String,
        contentType: String,
        contentLength: Int?,
        etag: String,
        lastModified: Date?,
        userMetadata: [String: String] = [:]
    ) {
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.contentLength = contentLength
        self.etag = etag
        self.lastModified = lastModified
        self.userMetadata = userMetadata
    }
}

/// Everything a step knows besides its input bytes.
public struct TransformContext: Sendable {
    /// The request id sent as `x-amz-request-id`; in every log line.
    public var requestID: String
    /// When the whole request must be done; a transform past it fails with `TransformTimeout`.
    public var deadline: ContinuousClock.Instant
    public var logger: Logger
    /// This step's validated parameters.
    public var parameters: TransformParameters
    /// The object the pipeline started from.
    public var source: SourceMetadata
    /// The client's request headers, names lower-cased (`accept` drives `format:auto`).
    public var requestHeaders: [String: String]
    /// The access point's `payload`, as JSON text, when the request came through one.
    public var payload: String?
    /// The URL the client asked for, as it arrived (`/photos/cat.jpg!resize:w=300`); empty outside a request.
    public var requestURL: String

    public init(
        requestID: String,
        deadline: ContinuousClock.Instant,
        logger: Logger,
        parameters: TransformParameters = TransformParameters(),
        source: SourceMetadata,
        requestHeaders: [String: String] = [:],
        payload: String? = nil,
        requestURL: String = ""
    ) {
        self.requestURL = requestURL
        self.requestID = requestID
        self.deadline = deadline
        self.logger = logger
        self.parameters = parameters
        self.source = source
        self.requestHeaders = requestHeaders
        self.payload = payload
    }
}

/// The bytes a step receives.
public struct TransformInput: Sendable {
    public var body: ObjectBody
    public var contentType: String
    /// Known when the previous step (or the store) knows it.
    public var contentLength: Int?
    /// Ranged reads of the source, while the input is the untouched source; nil after any step.
    public var sourceRanges: SourceRanges?

    public init(body: ObjectBody, contentType: String, contentLength: Int?, sourceRanges: SourceRanges? = nil) {
        self.body = body
        self.contentType = contentType
        self.contentLength = contentLength
        self.sourceRanges = sourceRanges
    }
}

/// The bytes a step produces, and what the response says about them.
public struct TransformOutput: Sendable {
    /// The HTTP status the response gets: 200 normally; a function's own status otherwise (a plugin's CGI
    /// `Status:`). A pipeline stops at the first step that answers outside 2xx and answers with that step's output.
    public var status: Int
    public var body: ObjectBody
    public var contentType: String
    public var contentLength: Int?
    /// Extra response headers (`Content-Language`, `Vary`), names lower-cased.
    public var headers: [String: String]

    public init(
        body: ObjectBody,
        contentType: String,
        contentLength: Int? = nil,
        headers: [String: String] = [:],
        status: Int = 200
    ) {
        self.status = status
        self.body = body
        self.contentType = contentType
        self.contentLength = contentLength
        self.headers = headers
    }
}
