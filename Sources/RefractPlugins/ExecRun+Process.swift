import AsyncAlgorithms
import Logging
import NIOCore
import RefractCore
import Subprocess

extension ExecRun {
    /// What the supervision of a process saw, for the verdict once the process is reaped.
    struct Transcript: Sendable {
        var head: CGIResponseHead?
        var outputBytes = 0
        var bodyBytes = 0
        var lastErrorLine: String?
    }

    private enum Supervised: Sendable {
        case output(Transcript)
        case errors(lastLine: String?)
        case done
    }

    /// Runs the plugin's process to its end, answers through ``head`` and ``body``, and calls `whenReaped` once
    /// the process is reaped, before the response ends.
    func execute(
        _ configuration: Configuration,
        input: ObjectBody,
        deadline: ContinuousClock.Instant,
        whenReaped: @Sendable () -> Void
    ) async {
        let result: ExecutionResult<Transcript, SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(
                configuration,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                await supervise(execution, input: input, deadline: deadline)
            }
        } catch {
            whenReaped()
            logger.error("The plugin could not be run", metadata: ["error": "\(error)"])
            end(failing: .transformFailed("The plugin \(pluginName) could not be run."))
            return
        }
        whenReaped()
        end(failing: verdict(on: result.terminationStatus, transcript: result.closureResult))
    }

    /// Feeds, reads and watches the process until its output is over and its leader has exited; then kills what is
    /// left of its group.
    private func supervise(
        _ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>,
        input: ObjectBody,
        deadline: ContinuousClock.Instant
    ) async -> Transcript {
        processGroup.started(leader: execution.processIdentifier.value)
        return await withTaskGroup(of: Supervised.self) { group in
            group.addTask {
                await self.enforce(deadline)
                return .done
            }
            group.addTask {
                await self.write(input, to: execution.standardInputWriter)
                return .done
            }
            group.addTask {
                .errors(lastLine: await self.log(execution.standardError))
            }
            group.addTask {
                .output(await self.forward(execution.standardOutput))
            }
            var transcript = Transcript()
            var lastErrorLine: String?
            var openStreams = 2
            while openStreams > 0, let supervised = await group.next() {
                switch supervised {
                case .output(let output):
                    transcript = output
                    openStreams -= 1
                case .errors(let lastLine):
                    lastErrorLine = lastLine
                    openStreams -= 1
                case .done:
                    continue
                }
            }
            transcript.lastErrorLine = lastErrorLine
            // Both streams can end before the leader exits; the deadline still holds while it finishes.
            await processGroup.waitForLeaderExit()
            processGroup.leaderExited()
            group.cancelAll()
            return transcript
        }
    }

    private func enforce(_ deadline: ContinuousClock.Instant) async {
        do {
            try await Task.sleep(until: deadline, clock: .continuous)
        } catch {
            return  // cancelled: the process ended in time
        }
        stop(.timedOut)
    }

    /// Streams the step's input to the process's standard input, pulling each buffer only once the previous one
    /// is written.
    private func write(_ input: ObjectBody, to writer: StandardInputWriter) async {
        do {
            for try await buffer in input {
                guard !isStopped, await write(buffer, to: writer) else { return }
            }
        } catch {
            // Once the process is over the input is cancelled, and whatever it throws then no longer matters.
            if !Task.isCancelled {
                stop(.inputFailed(error))
            }
            return
        }
        do {
            try await writer.finish()
        } catch {
            logger.debug("Could not close the plugin's input", metadata: ["error": "\(error)"])
        }
    }

    /// Writes one buffer; false when the process no longer reads its input.
    private func write(_ buffer: ByteBuffer, to writer: StandardInputWriter) async -> Bool {
        do {
            return try await writer.write(buffer.readableBytesSpan) == buffer.readableBytes
        } catch {
            // EPIPE: the plugin closed its input, as it may when it answers without reading it all.
            logger.debug("The plugin stopped reading its input", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Reads the CGI response from the process's standard output: sends its head, then its body, buffer by
    /// buffer as the reader takes them.
    private func forward(_ output: SubprocessOutputSequence) async -> Transcript {
        var transcript = Transcript()
        var parser = CGIResponseParser()
        do {
            for try await chunk in output {
                guard !isStopped else { break }
                transcript.outputBytes += chunk.count
                guard transcript.outputBytes <= maxOutputBytes else {
                    stop(.outputTooLarge)
                    break
                }
                var buffer = chunk.withUnsafeBytes { ByteBuffer(bytes: $0) }
                if transcript.head == nil {
                    guard case .complete(let head, let bodyStart) = try parser.parse(buffer) else { continue }
                    transcript.head = head
                    await self.head.send(head)
                    buffer = bodyStart
                }
                guard buffer.readableBytes > 0 else { continue }
                transcript.bodyBytes += buffer.readableBytes
                if let length = transcript.head?.contentLength, transcript.bodyBytes > length {
                    stop(.malformedResponse(reason: "a body longer than its Content-Length of \(length) bytes"))
                    break
                }
                await body.send(buffer)
            }
        } catch let malformed as CGIResponseParser.Malformed {
            stop(.malformedResponse(reason: malformed.reason))
        } catch {
            logger.error("Could not read the plugin's output", metadata: ["error": "\(error)"])
            stop(.outputUnreadable)
        }
        return transcript
    }

    /// Logs each line of the process's standard error; returns the last one.
    private func log(_ errors: SubprocessOutputSequence) async -> String? {
        var splitter = StderrLineSplitter()
        var lastLine: String?
        do {
            for try await chunk in errors {
                for line in chunk.withUnsafeBytes({ splitter.append($0) }) {
                    logger.notice("\(line)")
                    lastLine = line
                }
            }
        } catch {
            logger.error("Could not read the plugin's standard error", metadata: ["error": "\(error)"])
        }
        if let line = splitter.finish() {
            logger.notice("\(line)")
            lastLine = line
        }
        return lastLine
    }

    /// The error the response ends with, once the process is reaped: nil when it is whole and the plugin exited 0.
    private func verdict(on status: TerminationStatus, transcript: Transcript) -> RefractError? {
        let lastErrorLine =
            transcript.lastErrorLine.map { "; its last error line: \($0.quotedForMessage(maxCharacters: 200))" } ?? ""
        guard let head = transcript.head else {
            if !status.isSuccess {
                return .transformFailed(
                    "The plugin \(pluginName) \(Self.describe(status)) before its CGI response header\(lastErrorLine)."
                )
            }
            if transcript.outputBytes == 0 {
                return .transformFailed("The plugin \(pluginName) wrote no CGI response.")
            }
            return .transformFailed(
                "The plugin \(pluginName) answered a malformed CGI response: output that ends in its header section."
            )
        }
        if !status.isSuccess {
            return .transformFailed(
                "The plugin \(pluginName) \(Self.describe(status)) after its response began\(lastErrorLine)."
            )
        }
        if let length = head.contentLength, transcript.bodyBytes != length {
            return .transformFailed(
                "The plugin \(pluginName) wrote \(transcript.bodyBytes) body bytes where its Content-Length announced \(length)."
            )
        }
        return nil
    }

    private static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
    }
}
