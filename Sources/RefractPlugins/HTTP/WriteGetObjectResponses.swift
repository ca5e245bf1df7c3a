import Foundation
import NIOCore
import RefractCore
import Synchronization

/// The requests waiting for a function's `WriteGetObjectResponse`, by their single-use token.
///
/// An http function that answers S3 Object Lambda style gets a route and a token in its event and sends the object
/// in a separate request. That request's handler calls ``deliver(route:token:_:)``, which hands the object to the
/// waiting request and returns only once the object has been read to its end by the waiting client, so the function
/// learns whether it arrived.
public final class WriteGetObjectResponses: Sendable {
    private let waiting = Mutex<[String: PendingFunctionResponse]>([:])

    public init() {}

    /// Opens a wait for one request: a fresh route and token to put in the function's event.
    func open(requestID: String) -> PendingFunctionResponse {
        let pending = PendingFunctionResponse(route: "io-\(requestID)", token: Self.makeToken())
        waiting.withLock { $0[pending.token] = pending }
        return pending
    }

    /// Ends the wait: later deliveries with its token are refused.
    func close(_ pending: PendingFunctionResponse) {
        _ = waiting.withLock { $0.removeValue(forKey: pending.token) }
        pending.close()
    }

    /// Hands `delivery` to the request waiting with `token`, and waits until that request's client has read all of
    /// the delivery's body.
    ///
    /// Throws `InvalidRequest` for a token that is unknown, used, expired or not for `route`, and the body's error
    /// when the object could not be passed on whole (the client went away, the function's upload broke).
    public func deliver(route: String, token: String, _ delivery: FunctionDelivery) async throws {
        let pending = waiting.withLock { waiting -> PendingFunctionResponse? in
            guard waiting[token]?.route == route else { return nil }
            return waiting.removeValue(forKey: token)
        }
        guard let pending else {
            throw RefractError.invalidRequest(
                "The request token is not valid for this route, was already used, or its request has ended.")
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let completion = DeliveryCompletion(continuation)
            var handed = delivery
            handed.body = delivery.isError ? .empty : ObjectBody(CompletionReportingBody(delivery.body, completion))
            if delivery.isError { completion.finish(.success(())) }
            pending.hand(handed)
        }
    }

    /// 32 random bytes, URL-safe base64: unguessable, so the token alone binds a delivery to its request.
    package static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// One request waiting for its function's delivery.
final class PendingFunctionResponse: Sendable {
    private enum State {
        case open
        case awaited(CheckedContinuation<FunctionDelivery, any Error>)
        case arrived(FunctionDelivery)
        case finished
    }

    let route: String
    let token: String
    private let state = Mutex<State>(.open)

    init(route: String, token: String) {
        self.route = route
        self.token = token
    }

    /// The delivery, once the function sends it; cancellation ends the wait.
    func delivery() async throws -> FunctionDelivery {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let arrived = state.withLock { state -> Result<FunctionDelivery, any Error>? in
                    switch state {
                    case .open:
                        state = .awaited(continuation)
                        return nil
                    case .arrived(let delivery):
                        state = .finished
                        return .success(delivery)
                    case .awaited, .finished:
                        return .failure(CancellationError())
                    }
                }
                if let arrived { continuation.resume(with: arrived) }
            }
        } onCancel: {
            close()
        }
    }

    /// Passes the delivery to the waiting request; a wait already ended drops it, which ends the delivery.
    fileprivate func hand(_ delivery: FunctionDelivery) {
        let waiter = state.withLock { state -> CheckedContinuation<FunctionDelivery, any Error>? in
            switch state {
            case .open:
                state = .arrived(delivery)
                return nil
            case .awaited(let continuation):
                state = .finished
                return continuation
            case .arrived, .finished:
                return nil
            }
        }
        waiter?.resume(returning: delivery)
    }

    /// Ends the wait; a request still suspended in ``delivery()`` gets `CancellationError`.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<FunctionDelivery, any Error>? in
            defer { state = .finished }
            if case .awaited(let continuation) = state { return continuation }
            return nil
        }
        waiter?.resume(throwing: CancellationError())
    }
}

/// Resumes a delivery's sender once: when its body was read to the end, failed, or was dropped unread.
private final class DeliveryCompletion: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, any Error>?>

    init(_ continuation: CheckedContinuation<Void, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func finish(_ result: Result<Void, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }

    deinit {
        finish(.failure(RefractError.incompleteBody("The requester went away before the whole object was read.")))
    }
}

/// A delivery's body that tells its sender how the reading ended.
private struct CompletionReportingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: ObjectBody
    let completion: DeliveryCompletion

    init(_ base: ObjectBody, _ completion: DeliveryCompletion) {
        self.base = base
        self.completion = completion
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), completion: completion)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: ObjectBody.AsyncIterator
        let completion: DeliveryCompletion

        mutating func next() async throws -> ByteBuffer? {
            do {
                let buffer = try await base.next()
                if buffer == nil { completion.finish(.success(())) }
                return buffer
            } catch {
                completion.finish(.failure(error))
                throw error
            }
        }
    }
}
