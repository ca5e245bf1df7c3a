import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
public import RefractCore

/// A plugin with `runtime: http`: a function at a URL, called as S3 Object Lambda calls a function.
///
/// The function gets the event by POST and either answers with the object itself (status, headers, body), or,
/// S3 Object Lambda style, sends it with `WriteGetObjectResponse` and answers its POST as AWS Lambda's Invoke API
/// does (`X-Amz-Executed-Version`, or `X-Amz-Function-Error` when it failed) or with `202 Accepted` at once.
public struct HTTPFunctionTransform: Transform {
    public let descriptor: TransformDescriptor
    private let manifest: PluginManifest
    private let url: String
    private let client: HTTPClient
    private let inputs: any FunctionInputPublisher
    private let responses: WriteGetObjectResponses
    private let slots: PluginRunSlots

    /// The transform of `manifest`, whose runtime must be `.http`.
    public init(
        manifest: PluginManifest,
        client: HTTPClient,
        inputs: any FunctionInputPublisher,
        responses: WriteGetObjectResponses
    ) {
        guard case .http(let url) = manifest.runtime else {
            preconditionFailure("HTTPFunctionTransform runs http plugins only, not \(manifest.descriptor.name)")
        }
        descriptor = manifest.descriptor
        self.manifest = manifest
        self.url = url
        self.client = client
        self.inputs = inputs
        self.responses = responses
        slots = PluginRunSlots(
            pluginName: manifest.descriptor.name,
            concurrency: manifest.concurrency,
            queueLimit: manifest.queueLimit
        )
    }

    /// How a call ends: the function answered its POST, delivered the object, failed to answer, or ran out of time.
    private enum Outcome: Sendable {
        case answered(HTTPClientResponse)
        case delivered(FunctionDelivery)
        case unreachable(any Error)
        case timedOut
    }

    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let deadline = min(context.deadline, .now + manifest.timeout)
        // A call holds its slot until its answer begins: the function's work is done by then.
        let slot = try await slots.acquire(deadline: deadline)
        defer { slot.release() }
        let pending = responses.open(requestID: context.requestID)
        defer { responses.close(pending) }
        let event = ObjectLambdaEvent(
            requestID: context.requestID,
            inputURL: try inputs.publish(input, context: context, until: deadline),
            route: pending.route,
            token: pending.token,
            context: context,
            descriptor: descriptor
        )
        let request = try invocationRequest(event: event, deadline: deadline)

        let (outcomes, continuation) = AsyncStream.makeStream(of: Outcome.self)
        let client = client
        let invocation = Task {
            do {
                let grace = TimeAmount(deadline - .now) + .seconds(1)
                continuation.yield(.answered(try await client.execute(request, timeout: grace)))
            } catch {
                continuation.yield(.unreachable(error))
            }
        }
        let delivery = Task {
            if let delivered = try? await pending.delivery() { continuation.yield(.delivered(delivered)) }
        }
        let timer = Task {
            if (try? await Task.sleep(until: deadline)) != nil { continuation.yield(.timedOut) }
        }
        defer {
            delivery.cancel()
            timer.cancel()
        }
        return try await withTaskCancellationHandler {
            for await outcome in outcomes {
                if let output = try answer(for: outcome, context: context) { return output }
            }
            throw CancellationError()
        } onCancel: {
            invocation.cancel()
            continuation.finish()
        }
    }

    /// The step's output for `outcome`, nil to keep waiting (the function accepted and will deliver), or its error.
    private func answer(for outcome: Outcome, context: TransformContext) throws -> TransformOutput? {
        switch outcome {
        case .delivered(let delivery):
            return try output(of: delivery)
        case .answered(let response):
            if response.headers.contains(name: "x-amz-function-error") {
                throw RefractError.lambdaRuntimeError("The function \(descriptor.name) failed; see its log.")
            }
            if response.headers.contains(name: "x-amz-executed-version") {
                throw RefractError.lambdaResponseNotReceived(
                    "The function \(descriptor.name) returned without sending the object with WriteGetObjectResponse."
                )
            }
            if response.status == .accepted { return nil }
            return output(of: response)
        case .unreachable(let error):
            context.logger.warning(
                "function unreachable",
                metadata: ["plugin": "\(descriptor.name)", "url": "\(url)", "error": "\(error)"]
            )
            throw RefractError.transformFailed("The function \(descriptor.name) did not answer.")
        case .timedOut:
            throw RefractError.lambdaTimeout("The function \(descriptor.name) did not send the object in time.")
        }
    }

    private func invocationRequest(
        event: ObjectLambdaEvent,
        deadline: ContinuousClock.Instant
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let millisecondsLeft =
            (deadline - .now).components.seconds * 1000
            + (deadline - .now).components.attoseconds / 1_000_000_000_000_000
        let deadlineMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) + millisecondsLeft
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "lambda-runtime-deadline-ms", value: String(deadlineMilliseconds))
        request.headers.add(name: "x-amz-request-id", value: event.requestID)
        request.body = .bytes(ByteBuffer(bytes: try event.json()))
        return request
    }
}
