import Logging
import Synchronization

/// What the gateway learns about a request while answering it, for its access line and metrics.
final class Exchange: Sendable {
    let requestID: String
    let logger: Logger
    /// Bytes of request body read.
    let bytesIn = ByteCounter()
    private let labels = Mutex(Labels())

    private struct Labels {
        var operation = "Unknown"
        var transform: String?
        var etag: String?
    }

    init(requestID: String, logger: Logger) {
        self.requestID = requestID
        self.logger = logger
    }

    /// The S3 operation (`GetObject`) or gateway endpoint (`Health`) the request turned out to be.
    var operation: String {
        get { labels.withLock { $0.operation } }
        set { labels.withLock { $0.operation = newValue } }
    }

    /// The canonical pipeline of a transformed request.
    var transform: String? {
        get { labels.withLock { $0.transform } }
        set { labels.withLock { $0.transform = newValue } }
    }

    /// The entity tag to send with a 304 answer.
    var etag: String? {
        get { labels.withLock { $0.etag } }
        set { labels.withLock { $0.etag = newValue } }
    }
}
