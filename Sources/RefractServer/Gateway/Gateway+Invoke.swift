import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFileSystem
public import RefractCore
import RefractPlugins
import RefractStorage

extension Gateway {
    /// Where `refract invoke` reads its input: a local file or an object of a configured bucket.
    public enum InvocationInput: Sendable {
        case file(path: String, contentType: String?)
        case object(bucket: String, key: String)
    }

    /// Whether `steps` has an http plugin, whose function needs the gateway listening to read its input and send
    /// its answer.
    public func needsListener(steps: String) throws -> Bool {
        try registry.pipeline(steps: steps).steps.contains { $0.transform is HTTPFunctionTransform }
    }

    /// Runs `body` while the gateway listens on a free loopback port, so that http functions can read their input
    /// and send their answer during `refract invoke`.
    public func whileListening(_ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (listening, ready) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                try await application(host: "127.0.0.1", port: 0) { _, _ in ready.yield() }.runService()
            }
            for await _ in listening { break }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// The pipeline `steps` (a suffix or preset, `--param` arguments added to every step declaring them) run on
    /// `input` outside any request, as `refract invoke` does; `consume` receives the output as it streams.
    public func invoke(
        steps: String,
        parameters: [(name: String, value: String)],
        input: InvocationInput,
        consume: (TransformOutput) async throws -> Void
    ) async throws {
        let pipeline = try registry.pipeline(
            steps: try Self.addingParameters(parameters, to: steps, registry: registry))
        let requestID = requestIDs.make()
        var invocationLogger = logger
        invocationLogger[metadataKey: "request_id"] = .string(requestID)
        var context = TransformContext(
            requestID: requestID,
            deadline: .now + Self.transformTimeout,
            logger: invocationLogger,
            source: SourceMetadata(
                bucket: "", key: "", contentType: "", contentLength: nil, etag: "", lastModified: nil)
        )
        switch input {
        case .file(let path, let contentType):
            let type = contentType ?? MediaType.forFileName(path)
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                let size = Int(try await handle.info().size)
                context.source = SourceMetadata(
                    bucket: "", key: path, contentType: type, contentLength: size, etag: "", lastModified: nil)
                let body = ObjectBody(handle.readChunks(chunkLength: .kibibytes(256)))
                try await consume(
                    try await pipeline.run(
                        TransformInput(body: body, contentType: type, contentLength: size), context: context))
            }
        case .object(let bucket, let key):
            let route = try await buckets.route(bucket)
            let read = try await route.store.get(bucket: route.storeBucket, key: key, range: nil)
            context.source = SourceMetadata(
                bucket: bucket, key: key, contentType: read.info.contentType, contentLength: read.info.size,
                etag: read.info.etag, lastModified: read.info.lastModified, userMetadata: read.info.userMetadata)
            let input = TransformInput(
                body: read.body, contentType: read.info.contentType, contentLength: read.info.size)
            try await consume(try await pipeline.run(input, context: context))
        }
    }

    /// `steps` with `name=value` added to each step whose transform declares `name`; a parameter no step declares
    /// is an error.
    private static func addingParameters(
        _ parameters: [(name: String, value: String)],
        to steps: String,
        registry: TransformRegistry
    ) throws -> String {
        guard !parameters.isEmpty else { return steps }
        var calls = try SuffixParser.parse(steps)
        for parameter in parameters {
            var declared = false
            for index in calls.indices {
                let names = registry.transform(named: calls[index].name)?.descriptor.parameters.map(\.name) ?? []
                guard names.contains(parameter.name) else { continue }
                calls[index].arguments.removeAll { $0.key == parameter.name }
                calls[index].arguments.append(StepArgument(key: parameter.name, value: parameter.value))
                declared = true
            }
            guard declared else {
                throw RefractError.invalidTransform("no step of \(steps) takes a parameter \(parameter.name)")
            }
        }
        return calls.map { call in
            call.arguments.isEmpty
                ? call.name
                : call.name + ":"
                    + call.arguments.map { ($0.key.map { "\($0)=" } ?? "") + $0.value }.joined(separator: ",")
        }.joined(separator: "!")
    }
}
