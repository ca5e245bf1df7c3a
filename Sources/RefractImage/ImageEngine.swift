public import Logging
import NIOCore
import NIOPosix
import RefractCore
import Synchronization

/// Runs image jobs on ImageMagick, on a pool of worker threads of its own, with bounded admission.
///
/// Every MagickWand call happens on the pool, never on an event loop or Swift's cooperative pool. At most
/// `workers + queueLimit` jobs are in flight, counted from the moment a job starts gathering its source (so that the
/// sources held in memory are bounded too); one more fails at once with `SlowDown` (`Retry-After: 1`).
///
/// ImageMagick runs each operation on one thread: the engine's parallelism is its workers, one job each. Measured on
/// this 2-core machine (release build; a 2000×1500 JPEG resized to 1600 px and blurred, where OpenMP has the most to
/// do): a job alone took 600–1100 ms with 2 OpenMP threads against 900–1400 ms with 1, but two concurrent jobs gave
/// the same throughput (1.1–1.3 jobs/s) either way, at the same CPU time per job (520–580 ms). OpenMP only helps
/// while a core is idle; a busy gateway has none, and two workers' thread teams would fight over them. The usual
/// job, a JPEG shrunk with the decode hint, is libjpeg's (single-threaded) decode: 33.7 ms of CPU with 1 or 2.
///
/// Resource limits (memory, map, disk, threads) are ImageMagick's and so process-wide: the last engine made sets
/// them. Call ``shutdown()`` before the engine goes away; its threads are not stopped otherwise.
public final class ImageEngine: Sendable {
    public let limits: ImageLimits
    private let pool: NIOThreadPool
    private let capacity: Int
    private let admission = Mutex(Admission())
    private let logger: Logger

    /// Starts `workers` threads (0: one per core) that run at most that many jobs at once, with up to `queueLimit`
    /// more waiting.
    public init(limits: ImageLimits, workers: Int, queueLimit: Int, logger: Logger) {
        let library = MagickLibrary.shared
        library.apply(limits)
        let threadCount = workers > 0 ? workers : System.coreCount
        self.limits = limits
        self.pool = NIOThreadPool(numberOfThreads: threadCount)
        self.capacity = threadCount + max(0, queueLimit)
        self.logger = logger
        pool.start()
    }

    /// Stops the worker threads once the jobs in flight are done; later jobs fail with `ServiceUnavailable`.
    public func shutdown() async throws {
        admission.withLock { $0.isShutDown = true }
        try await pool.shutdownGracefully()
    }

    /// The output formats `format:type=` offers (`jpeg`, `png`, `webp`, `gif`, and `avif` when the library has it).
    public var availableFormats: [String] {
        let library = MagickLibrary.shared
        return [ImageFormat.jpeg, .png, .webp, .gif, .avif].filter { library.formats.contains($0.coder) }
            .map(\.rawValue)
    }

    /// Whether ImageMagick was built with an AVIF coder (libheif with an AV1 codec).
    public var hasAVIF: Bool { MagickLibrary.shared.formats.contains(ImageFormat.avif.coder) }

    /// Gathers `input`, then decodes, transforms and encodes it on a worker as `recipe` says.
    func process(_ input: TransformInput, recipe: ImageRecipe, context: TransformContext) async throws
        -> TransformOutput
    {
        try admit()
        defer { release() }
        let maxBytes = limits.maxSourceBytes
        if let length = input.contentLength, length > maxBytes {
            throw RefractError.sourceTooLarge(
                "The source is \(length) bytes; images are transformed up to \(maxBytes).")
        }
        let source = try await input.body.collect(
            upTo: maxBytes,
            tooLarge: .sourceTooLarge("The source is over \(maxBytes) bytes, the most an image transform takes.")
        )
        let job = ImageJob(
            source: source,
            recipe: recipe,
            limits: limits,
            deadline: context.deadline,
            logger: context.logger
        )
        let result = try await pool.runIfActive { try job.run() }
        var headers: [String: String] = [:]
        if case .negotiated = recipe.output {
            headers["vary"] = "Accept"
        }
        return TransformOutput(
            body: ObjectBody(buffer: result.bytes),
            contentType: result.format.mediaType,
            contentLength: result.bytes.readableBytes,
            headers: headers
        )
    }

    /// The jobs in flight, and whether the engine still takes any.
    private struct Admission {
        var jobCount = 0
        var isShutDown = false
    }

    private func admit() throws(RefractError) {
        let refusal: RefractError? = admission.withLock { admission in
            if admission.isShutDown {
                return .serviceUnavailable("The image engine is shut down.")
            }
            guard admission.jobCount < capacity else {
                return .slowDown(
                    "The image transform queue is full. Please reduce your request rate.", retryAfterSeconds: 1)
            }
            admission.jobCount += 1
            return nil
        }
        if let refusal {
            logger.debug("image job refused", metadata: ["reason": "\(refusal)"])
            throw refusal
        }
    }

    private func release() {
        admission.withLock { $0.jobCount -= 1 }
    }
}
