/// One entry of `pipelines`: transforms run on objects written to (or deleted from) a bucket, each output
/// stored under a key made from the source key.
public struct PipelineConfiguration: Sendable, Equatable {
    /// An object event a pipeline runs on.
    public enum Event: String, Sendable, Equatable, CaseIterable {
        case put
        case delete
    }

    /// `match`: the source keys the pipeline runs on.
    public struct Match: Sendable, Equatable {
        /// `prefix`: keys must start with it.
        public var prefix: String
        /// `suffix`: keys must end with one of them; empty matches every key.
        public var suffixes: [String]

        public init(prefix: String = "", suffixes: [String] = []) {
            self.prefix = prefix
            self.suffixes = suffixes
        }

        /// Whether the pipeline runs on `key`.
        public func matches(_ key: String) -> Bool {
            key.hasPrefix(prefix) && (suffixes.isEmpty || suffixes.contains { key.hasSuffix($0) })
        }
    }

    /// One entry of `outputs`: an object written from the source.
    public struct Output: Sendable, Equatable {
        /// `key`: the output's key, a template of `{key}`, `{dir}`, `{name}`, `{stem}` and `{ext}`.
        public var key: String
        /// `pipeline`: the transform suffix the source goes through, as written after the first `!`.
        public var pipeline: String

        public init(key: String, pipeline: String) {
            self.key = key
            self.pipeline = pipeline
        }

        /// The variables a key template may use.
        public static let templateVariables = ["key", "dir", "name", "stem", "ext"]
    }

    /// `retry`: how a failed job is retried before it is dead-lettered.
    public struct Retry: Sendable, Equatable {
        /// `max_attempts`: attempts in all, the first included.
        public var maxAttempts: Int
        /// `backoff`: the wait before the second attempt; it doubles with every further attempt.
        public var backoff: Duration
        /// `max_backoff`: the longest wait between attempts.
        public var maxBackoff: Duration

        public init(maxAttempts: Int = 5, backoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(300)) {
            self.maxAttempts = maxAttempts
            self.backoff = backoff
            self.maxBackoff = maxBackoff
        }
    }

    /// `name`: names the pipeline's jobs.
    public var name: String
    /// `bucket`: the bucket whose objects trigger the pipeline.
    public var bucket: String
    /// `events`: the events that trigger it.
    public var events: [Event]
    /// `match`: which keys of `bucket` the pipeline runs on.
    public var match: Match
    /// `outputs`: the objects written from each matching source.
    public var outputs: [Output]
    /// `retry`: how failed jobs are retried.
    public var retry: Retry

    public init(
        name: String,
        bucket: String,
        events: [Event] = [.put],
        match: Match = Match(),
        outputs: [Output],
        retry: Retry = Retry()
    ) {
        self.name = name
        self.bucket = bucket
        self.events = events
        self.match = match
        self.outputs = outputs
        self.retry = retry
    }
}

extension PipelineConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["name", "bucket", "events", "match", "outputs", "retry"])
        let nameNode = try mapping.required("name")
        let name = try nameNode.nonEmptyString()
        guard name.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || "._-".unicodeScalars.contains($0) }) else {
            throw nameNode.error("expected a name of letters, digits, \".\", \"_\" and \"-\", got \"\(name)\"")
        }
        var outputs: [Output] = []
        let outputsNode = try mapping.required("outputs")
        for element in try outputsNode.list() {
            outputs.append(try Output(from: element))
        }
        guard !outputs.isEmpty else { throw outputsNode.error("expected at least one output") }
        self.init(name: name, bucket: try mapping.required("bucket").nonEmptyString(), outputs: outputs)
        if let value = mapping["events"] {
            events = []
            for element in try value.isSequence ? value.list() : [value] {
                let event = try element.choice(of: Event.self)
                if !events.contains(event) { events.append(event) }
            }
            guard !events.isEmpty else { throw value.error("expected at least one of put, delete") }
        }
        if let value = mapping["match"] { match = try Match(from: value) }
        if let value = mapping["retry"] { retry = try Retry(from: value) }
    }
}

extension PipelineConfiguration.Match {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["prefix", "suffix"])
        self.init()
        if let value = mapping["prefix"] { prefix = try value.string() }
        if let value = mapping["suffix"] { suffixes = try value.stringList().filter { !$0.isEmpty } }
    }
}

extension PipelineConfiguration.Output {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["key", "pipeline"])
        let keyNode = try mapping.required("key")
        self.init(key: try keyNode.nonEmptyString(), pipeline: try mapping.required("pipeline").nonEmptyString())
        if let unknown = Self.unknownVariable(in: key) {
            let known = Self.templateVariables.map { "{\($0)}" }.joined(separator: ", ")
            throw keyNode.error("unknown template variable {\(unknown)} (expected one of: \(known))")
        }
    }

    /// The first `{name}` in `template` that is not a template variable; a `{` without a closing `}` is text.
    private static func unknownVariable(in template: String) -> String? {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let afterOpen = rest[rest.index(after: open)...]
            guard let close = afterOpen.firstIndex(of: "}") else { return nil }
            let name = String(afterOpen[..<close])
            if !templateVariables.contains(name) { return name }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return nil
    }
}

extension PipelineConfiguration.Retry {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["max_attempts", "backoff", "max_backoff"])
        self.init()
        if let value = mapping["max_attempts"] { maxAttempts = try value.integer(in: 1...1000) }
        if let value = mapping["backoff"] { backoff = try value.duration() }
        if let value = mapping["max_backoff"] {
            maxBackoff = try value.duration()
            guard maxBackoff >= backoff else { throw value.error("must not be shorter than backoff") }
        } else {
            maxBackoff = max(maxBackoff, backoff)
        }
    }
}
