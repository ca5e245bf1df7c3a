import ArgumentParser
import Foundation
import Logging
import RefractPipelines
import RefractServer

/// `refract jobs`: the upload pipelines' jobs in the queue of `queue.url`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List and retry upload pipeline jobs.",
        subcommands: [List.self, Retry.self]
    )

    /// `refract jobs list [--failed]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

        @OptionGroup var options: ConfigurationOptions

        @Flag(help: "Only the dead-lettered jobs (failed after their last attempt).")
        var failed = false

        @Option(help: "The most jobs listed.")
        var limit = 100

        func run() async throws {
            let queue = try await openQueue(try options.load(), logger: Logger(label: "refract"))
            let jobs = try await queue.list(states: failed ? [.dead] : [], limit: limit)
            let counts = try await queue.counts()
            try await queue.close()
            print("pending \(counts.pending), running \(counts.running), done \(counts.done), dead \(counts.dead)")
            for job in jobs {
                let error = job.lastError.map { "  error: \($0)" } ?? ""
                print(
                    "\(job.id)  \(job.state.rawValue)  \(job.pipeline)  \(job.event.kind.rawValue) "
                        + "\(job.event.bucket)/\(job.event.key)  attempts \(job.attempts)/\(job.retry.maxAttempts)\(error)"
                )
            }
        }
    }

    /// `refract jobs retry ID|--all-failed`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run dead-lettered jobs again.")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The job to retry.")
        var id: Int64?

        @Flag(help: "Retry every dead-lettered job.")
        var allFailed = false

        func validate() throws {
            guard (id == nil) != !allFailed else { throw ValidationError("give a job id or --all-failed, not both") }
        }

        func run() async throws {
            let queue = try await openQueue(try options.load(), logger: Logger(label: "refract"))
            do {
                if let id {
                    let job = try await queue.retry(jobID: id)
                    print("job \(job.id) (\(job.pipeline) \(job.event.bucket)/\(job.event.key)) is pending again")
                } else {
                    print("\(try await queue.retryAllFailed()) failed jobs are pending again")
                }
            } catch {
                try await queue.close()
                throw startupFailure(error)
            }
            try await queue.close()
        }
    }
}
