import Foundation
public import RefractCore
public import RefractPlugins
import RefractStorage
import Synchronization

/// What the gateway serves to http functions: their input (`inputS3Url`) and `WriteGetObjectResponse`.
///
/// A function reads its input with a URL presigned by a credential the gateway makes up at start and never shows:
/// it may only read objects, and each URL names one object and expires with the request's deadline. An input that
/// is not the stored object (the output of an earlier step) is served once under an unguessable token instead.
public final class FunctionEndpoints: FunctionInputPublisher, Sendable {
    /// The requests waiting for a function's `WriteGetObjectResponse`.
    public let responses = WriteGetObjectResponses()
    /// The gateway's own reader, allowed `s3:GetObject` on every object, for the presigned input URLs.
    let reader: UserConfiguration
    private let signer: SigV4Signer
    private let baseURL: Mutex<String?>
    private let handoffs = Mutex<[String: Handoff]>([:])

    private struct Handoff {
        var input: TransformInput
        var deadline: ContinuousClock.Instant
    }

    /// `baseURL` is how functions reach the gateway (`http://127.0.0.1:8080`); nil to use the address it listens on.
    public init(baseURL: String? = nil) {
        let reader = UserConfiguration(
            accessKeyID: "REFRACTFUNCTION" + Self.randomText(count: 8, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            secretAccessKey: Self.randomText(
                count: 40, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            allow: [AllowRule(action: .getObject, resource: "*")]
        )
        self.reader = reader
        signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: reader.accessKeyID, secretAccessKey: reader.secretAccessKey),
            region: "us-east-1"
        )
        self.baseURL = Mutex(baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
    }

    /// Records the address the gateway listens on, unless a base URL was configured.
    func listening(host: String, port: Int) {
        let reachableHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let formatted = reachableHost.contains(":") ? "[\(reachableHost)]" : reachableHost
        baseURL.withLock { $0 = $0 ?? "http://\(formatted):\(port)" }
    }

    public func publish(
        _ input: TransformInput,
        context: TransformContext,
        until deadline: ContinuousClock.Instant
    ) throws -> String {
        guard let base = baseURL.withLock({ $0 }) else {
            throw RefractError.transformFailed("The gateway's address for functions is not known yet.")
        }
        guard input.sourceRanges == nil else {
            let host = base.drop { $0 != "/" }.dropFirst(2)
            let path =
                "/" + SigV4Canonical.encode("\(context.source.bucket)/\(context.source.key)".utf8, keepingSlash: true)
            let seconds = max(1, (deadline - .now).components.seconds + 1)
            return base
                + (try signer.presign(method: "GET", path: path, host: String(host), expires: .seconds(seconds)))
        }
        let token = WriteGetObjectResponses.makeToken()
        handoffs.withLock { handoffs in
            let now = ContinuousClock.now
            handoffs = handoffs.filter { $0.value.deadline > now }
            handoffs[token] = Handoff(input: input, deadline: deadline)
        }
        return "\(base)/_refract/inputs/\(token)"
    }

    /// The input published under `token`, once: a second request for it, or one past its deadline, gets nil.
    func takeInput(token: String) -> TransformInput? {
        handoffs.withLock { handoffs in
            guard let handoff = handoffs.removeValue(forKey: token), handoff.deadline > .now else { return nil }
            return handoff.input
        }
    }

    private static func randomText(count: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] })
    }
}
