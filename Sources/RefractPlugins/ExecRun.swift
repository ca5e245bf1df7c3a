import AsyncAlgorithms
import Logging
import NIOCore
import RefractCore
import Synchronization

/// One run of an exec plugin: its process group, and the channels its response reaches the request through.
///
/// The run outlives `apply`: it goes on in a task of its own while the client reads the body, and is over once its
/// process is reaped. Whoever first sees a reason to stop it (its deadline, too much output, a malformed response,
/// a failing input, a client gone) calls ``stop(_:)``: the process group is killed and whoever waits for the
/// response gets the matching error at once, while the process is reaped in the background.
final class ExecRun: Sendable {
    /// Why a run was stopped before its process ended by itself.
    enum StopReason: Sendable {
        case timedOut
        case outputTooLarge
        case malformedResponse(reason: String)
        case outputUnreadable
        /// The step's input failed while the plugin was reading it: the plugin must not answer for a partial input.
        case inputFailed(any Error)
        /// Nobody reads the response any more.
        case abandoned
    }

    private enum State {
        case running
        case stopped
        case ended(succeeded: Bool)
    }

    let pluginName: String
    let maxOutputBytes: Int
    /// The request's logger, with the plugin's name.
    let logger: Logger
    let processGroup = ExecProcessGroup()
    /// The response's header section, sent once.
    let head = AsyncThrowingChannel<CGIResponseHead, any Error>()
    /// The response's body: every send waits for the reader, so the plugin's output is read only as fast as the
    /// client takes it, one buffer at a time.
    let body = AsyncThrowingChannel<ByteBuffer, any Error>()
    private let state = Mutex(State.running)

    init(pluginName: String, maxOutputBytes: Int, logger: Logger) {
        self.pluginName = pluginName
        self.maxOutputBytes = maxOutputBytes
        var logger = logger
        logger[metadataKey: "plugin"] = "\(pluginName)"
        self.logger = logger
    }

    /// Whether the response was stopped: nothing more is to be sent.
    var isStopped: Bool {
        state.withLock { state in
            if case .stopped = state { return true }
            return false
        }
    }

    /// Whether the whole response was sent and the plugin exited with status 0.
    var hasSucceeded: Bool {
        state.withLock { state in
            if case .ended(succeeded: true) = state { return true }
            return false
        }
    }

    /// Kills the process group and fails the response with what `reason` means for the client, unless the run
    /// was already stopped or is over.
    func stop(_ reason: StopReason) {
        let isFirst = state.withLock { state in
            guard case .running = state else { return false }
            state = .stopped
            return true
        }
        guard isFirst else { return }
        processGroup.kill()
        guard let error = failure(for: reason) else {
            logger.debug("Stopping the plugin: its response is no longer read")
            head.finish()
            body.finish()
            return
        }
        logger.notice("Stopping the plugin", metadata: ["reason": "\(error)"])
        head.fail(error)
        body.fail(error)
    }

    /// Ends the response once the process is reaped, with `error` or as a success, unless it was stopped before.
    func end(failing error: RefractError?) {
        let isRunning = state.withLock { state in
            guard case .running = state else { return false }
            state = .ended(succeeded: error == nil)
            return true
        }
        guard isRunning else { return }
        if let error {
            head.fail(error)
            body.fail(error)
        } else {
            head.finish()
            body.finish()
        }
    }

    /// The error the response fails with; nil when nobody waits for it.
    private func failure(for reason: StopReason) -> (any Error)? {
        switch reason {
        case .timedOut:
            RefractError.transformTimeout("The plugin \(pluginName) did not finish in time.")
        case .outputTooLarge:
            RefractError.transformFailed(
                "The plugin \(pluginName) wrote more than its limit of \(maxOutputBytes) bytes.")
        case .malformedResponse(let reason):
            RefractError.transformFailed("The plugin \(pluginName) answered a malformed CGI response: \(reason).")
        case .outputUnreadable:
            RefractError.transformFailed("The output of the plugin \(pluginName) could not be read.")
        case .inputFailed(let error):
            error
        case .abandoned:
            nil
        }
    }
}
