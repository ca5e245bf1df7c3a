import Testing

@testable import RefractServer

@Suite("Configuration: refused documents")
struct ConfigurationErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let yaml: String
        let path: String
        let problem: String
        var environment: [String: String] = [:]

        var testDescription: String { path.isEmpty ? problem : path }
    }

    static let twoStores = """
        stores:
          local: {type: filesystem, root: ./storage}
          main: {type: s3, endpoint: "http://127.0.0.1:9000", access_key_id: k, secret_access_key: s}

        """

    static let cases: [Case] = [
        Case(
            yaml: "transforms: {image: {max_source_bytes: lots}}",
            path: "transforms.image.max_source_bytes",
            problem: "expected a size such as 50MiB, got \"lots\""
        ),
        Case(
            yaml: twoStores + "buckets: {photos: {store: nas}}",
            path: "buckets.photos.store",
            problem: "no store named \"nas\" (stores: local, main)"
        ),
        Case(
            yaml: """
                security:
                  users:
                    - {access_key_id: a, secret_access_key: s, allow: ["s3:GetObject photos/*"]}
                    - {access_key_id: b, secret_access_key: s, allow: ["s3:Get photos/*"]}
                """,
            path: "security.users[1].allow[0]",
            problem: "unknown action \"s3:Get\" (expected one of: s3:GetObject, s3:PutObject, s3:DeleteObject, "
                + "s3:ListBucket, refract:Transform, refract:Admin, *)"
        ),
        Case(yaml: "server: {port: 70000}", path: "server.port", problem: "expected an integer in 0...65535"),
        Case(yaml: "server: {port: eighty}", path: "server.port", problem: "got \"eighty\""),
        Case(
            yaml: "stores: {main: {type: s3, access_key_id: k, secret_access_key: s}}\nbuckets: {b-1: {}}",
            path: "stores.main.endpoint",
            problem: "required for type s3"
        ),
        Case(
            yaml: "stores: {main: {type: s3, endpoint: \"ftp://host\", access_key_id: k, secret_access_key: s}}",
            path: "stores.main.endpoint",
            problem: "expected an http:// or https:// URL, got \"ftp://host\""
        ),
        Case(
            yaml: "servr: {port: 80}",
            path: "servr",
            problem: "unknown key, did you mean \"server\"? (expected one of: server, stores, buckets, "
                + "access_points, presets, transforms, security, pipelines, queue, log)"
        ),
        Case(
            yaml: "server: {host: localhost, prot: 80}",
            path: "server.prot",
            problem: "unknown key, did you mean \"port\"? (expected one of: host, port, cache_control, "
                + "drain_timeout)"
        ),
        Case(
            yaml: "log: {colour: true}",
            path: "log.colour",
            problem: "unknown key (expected one of: level, format)"
        ),
        Case(
            yaml: "stores: {local: {type: filesystem, root: ./s, endpoint: \"http://x\"}}",
            path: "stores.local.endpoint",
            problem: "unknown key (expected one of for type filesystem: type, root)"
        ),
        Case(yaml: "stores: {local: {root: ./s}}", path: "stores.local.type", problem: "required (filesystem or s3)"),
        Case(
            yaml: "stores: {local: {type: ftp}}",
            path: "stores.local.type",
            problem: "expected one of filesystem, s3, got \"ftp\""
        ),
        Case(
            yaml: "stores: {local: {type: filesystem}}", path: "stores.local.root",
            problem: "required for type filesystem"),
        Case(yaml: "stores: {}", path: "stores", problem: "expected at least one store"),
        Case(yaml: "stores: [local]", path: "stores", problem: "expected a mapping, got a list"),
        Case(
            yaml: twoStores + "buckets: {photos: {public: true}}",
            path: "buckets.photos.store",
            problem: "required when several stores are configured (stores: local, main)"
        ),
        Case(
            yaml: "stores: {main: {type: s3, endpoint: \"http://h\", access_key_id: k, secret_access_key: s}}",
            path: "buckets",
            problem: "required unless there is a filesystem store named \"local\""
        ),
        Case(
            yaml: "buckets: {Photos: {store: local}}",
            path: "buckets.Photos",
            problem: "\"Photos\" is not a valid bucket name: bucket names are 3 to 63 characters"
        ),
        Case(yaml: "buckets: {ab: {}}", path: "buckets.ab", problem: "\"ab\" is not a valid bucket name"),
        Case(yaml: "buckets: {my_bucket: {}}", path: "buckets.my_bucket", problem: "is not a valid bucket name"),
        Case(
            yaml: "buckets: {photos: {public: maybe}}", path: "buckets.photos.public",
            problem: "expected true or false, got \"maybe\""),
        Case(
            yaml: "buckets: {photos: {name: ../etc}}",
            path: "buckets.photos.name",
            problem: "expected a folder name of the filesystem store, got \"../etc\""
        ),
        Case(
            yaml: "buckets: {photos: {}}\naccess_points: {thumbs: {bucket: photo, pipeline: resize:w=300}}",
            path: "access_points.thumbs.bucket",
            problem: "no bucket named \"photo\" (buckets: photos)"
        ),
        Case(
            yaml: "buckets: {photos: {}}\naccess_points: {photos: {bucket: photos, pipeline: resize:w=300}}",
            path: "access_points.photos",
            problem: "\"photos\" is a bucket already: access points and buckets share one namespace"
        ),
        Case(
            yaml: "access_points: {Thumbs: {bucket: photos, pipeline: resize:w=300}}",
            path: "access_points.Thumbs",
            problem: "\"Thumbs\" is not a valid bucket name"
        ),
        Case(
            yaml: "access_points: {thumbs: {bucket: Photos, pipeline: resize:w=300}}",
            path: "access_points.thumbs.bucket",
            problem: "\"Photos\" is not a valid bucket name"
        ),
        Case(
            yaml: "access_points: {thumbs: {bucket: photos}}", path: "access_points.thumbs.pipeline",
            problem: "required"),
        Case(
            yaml: "access_points: {thumbs: {bucket: photos, pipeline: x, payload: .inf}}",
            path: "access_points.thumbs.payload",
            problem: "JSON has no number .inf; quote it to pass a string"
        ),
        Case(
            yaml: "presets: {\"my thumb\": resize:w=1}",
            path: "presets[\"my thumb\"]",
            problem: "a preset name is used as a step"
        ),
        Case(yaml: "presets: {thumb: \"\"}", path: "presets.thumb", problem: "must not be empty"),
        Case(
            yaml:
                "buckets: {photos: {}}\npipelines: [{name: p, bucket: docs, outputs: [{key: \"x/{key}\", pipeline: strip}]}]",
            path: "pipelines[0].bucket",
            problem: "no bucket named \"docs\" (buckets: photos)"
        ),
        Case(
            yaml: """
                pipelines:
                  - {name: p, bucket: photos, outputs: [{key: "a/{key}", pipeline: strip}]}
                  - {name: p, bucket: photos, outputs: [{key: "b/{key}", pipeline: strip}]}
                """,
            path: "pipelines[1].name",
            problem: "another pipeline is named \"p\""
        ),
        Case(
            yaml: "pipelines: [{name: \"my pipeline\", bucket: photos, outputs: [{key: k, pipeline: strip}]}]",
            path: "pipelines[0].name",
            problem: "expected a name of letters, digits"
        ),
        Case(
            yaml: "pipelines: [{name: p, bucket: photos, events: [put, update], outputs: [{key: k, pipeline: strip}]}]",
            path: "pipelines[0].events[1]",
            problem: "expected one of put, delete, got \"update\""
        ),
        Case(
            yaml: "pipelines: [{name: p, bucket: photos, events: [], outputs: [{key: k, pipeline: strip}]}]",
            path: "pipelines[0].events",
            problem: "expected at least one of put, delete"
        ),
        Case(
            yaml: "pipelines: [{name: p, bucket: photos, outputs: [{key: \"out/{base}.webp\", pipeline: strip}]}]",
            path: "pipelines[0].outputs[0].key",
            problem: "unknown template variable {base} (expected one of: {key}, {dir}, {name}, {stem}, {ext})"
        ),
        Case(
            yaml: "pipelines: [{name: p, bucket: photos, outputs: []}]",
            path: "pipelines[0].outputs",
            problem: "expected at least one output"
        ),
        Case(yaml: "pipelines: [{name: p, bucket: photos}]", path: "pipelines[0].outputs", problem: "required"),
        Case(
            yaml: "pipelines: [{name: p, bucket: photos, outputs: [{key: k, pipeline: strip}], "
                + "retry: {backoff: 1m, max_backoff: 30s}}]",
            path: "pipelines[0].retry.max_backoff",
            problem: "must not be shorter than backoff"
        ),
        Case(
            yaml:
                "pipelines: [{name: p, bucket: photos, outputs: [{key: k, pipeline: strip}], retry: {max_attempts: 0}}]",
            path: "pipelines[0].retry.max_attempts",
            problem: "expected an integer in 1...1000, got \"0\""
        ),
        Case(yaml: "pipelines: {name: p}", path: "pipelines", problem: "expected a list, got a mapping"),
        Case(
            yaml: "server: {drain_timeout: soon}",
            path: "server.drain_timeout",
            problem: "expected a duration such as 10s, 250ms or 5m, got \"soon\""
        ),
        Case(
            yaml: "transforms: {translate: {timeout: 0s}}",
            path: "transforms.translate.timeout",
            problem: "must be longer than 0s, got \"0s\""
        ),
        Case(
            yaml: "transforms: {translate: {provider: deepl}}",
            path: "transforms.translate.api_key",
            problem: "required for provider deepl"
        ),
        Case(
            yaml: "transforms: {translate: {provider: google}}",
            path: "transforms.translate.provider",
            problem: "expected one of libretranslate, deepl, got \"google\""
        ),
        Case(
            yaml: "transforms: {translate: {url: localhost:5000}}",
            path: "transforms.translate.url",
            problem: "expected an http:// or https:// URL"
        ),
        Case(
            yaml: "transforms: {image: {workers: -1}}",
            path: "transforms.image.workers",
            problem: "expected an integer in 0...1024, got \"-1\""
        ),
        Case(
            yaml: "transforms: {image: {queue_limit: many}}",
            path: "transforms.image.queue_limit",
            problem: "expected an integer of at least 0, got \"many\""
        ),
        Case(
            yaml: "transforms: {exif: {head_bytes: 10}}",
            path: "transforms.exif.head_bytes",
            problem: "must be at least 1024 bytes, got \"10\""
        ),
        Case(
            yaml: """
                security:
                  users:
                    - {access_key_id: same, secret_access_key: a}
                    - {access_key_id: same, secret_access_key: b}
                """,
            path: "security.users[1]",
            problem: "access_key_id \"same\" is given to another user too"
        ),
        Case(
            yaml: "security: {users: [{access_key_id: a}]}",
            path: "security.users[0].secret_access_key",
            problem: "required"
        ),
        Case(
            yaml: "security: {users: [{access_key_id: a, secret_access_key: s, allow: [\"s3:GetObject\"]}]}",
            path: "security.users[0].allow[0]",
            problem: "expected \"ACTION RESOURCE\" such as \"s3:GetObject photos/*\", got \"s3:GetObject\""
        ),
        Case(
            yaml: "buckets: {photos: {}}\n"
                + "security: {users: [{access_key_id: a, secret_access_key: s, allow: [\"s3:GetObject photo/*\"]}]}",
            path: "security.users[0].allow[0]",
            problem: "no bucket or access point named \"photo\" (known: photos)"
        ),
        Case(
            yaml: "security: {signing: {required: true}}",
            path: "security.signing.keys",
            problem: "required when signing.required is true"
        ),
        Case(
            yaml: "security: {signing: {keys: [\"00ff\", \"not a key!\"]}}",
            path: "security.signing.keys[1]",
            problem: "expected a key written as hex digits or base64"
        ),
        Case(
            yaml: "queue: {url: \"mysql://db\"}",
            path: "queue.url",
            problem: "expected a sqlite:// or postgres:// URL, got \"mysql://db\""
        ),
        Case(
            yaml: "log: {level: verbose}",
            path: "log.level",
            problem: "expected one of trace, debug, info, notice, warning, error, critical, got \"verbose\""
        ),
        Case(yaml: "log: {format: xml}", path: "log.format", problem: "expected one of text, json, got \"xml\""),
        Case(yaml: "server: [1, 2]", path: "server", problem: "expected a mapping, got a list"),
        Case(yaml: "server: {host: {name: x}}", path: "server.host", problem: "expected a string, got a mapping"),
        Case(yaml: "just text", path: "", problem: "expected a mapping, got \"just text\""),
        Case(yaml: "server: {port: 1}\nserver: {port: 2}", path: "", problem: "duplicate key \"server\""),
        Case(yaml: "server: {port: 1\nlog: {}", path: "", problem: "invalid YAML: "),
        Case(
            yaml: "stores: {west: {<<: [a, b]}}",
            path: "stores.west",
            problem: "a merge key (<<) takes a mapping or a list of mappings"
        ),
    ]

    @Test(arguments: cases)
    func refusesWithThePathAndProblem(_ testCase: Case) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: testCase.yaml, environment: testCase.environment)
        }
        #expect(error?.path == testCase.path)
        #expect(error?.problem.contains(testCase.problem) == true, "\(String(describing: error))")
        if !testCase.path.isEmpty {
            #expect(error?.description.contains("\(testCase.path): \(error?.problem ?? "")") == true)
        }
    }

    @Test func messagesNameTheLineAndColumn() throws {
        let yaml = """
            buckets:
              photos: {store: local}
            access_points:
              thumbs:
                bucket: fotos
                pipeline: "resize:w=300"
            """
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: yaml, environment: [:])
        }
        #expect(error?.line == 5)
        #expect(error?.column == 13)
        #expect(
            error?.description
                == "line 5, column 13: access_points.thumbs.bucket: no bucket named \"fotos\" (buckets: photos)"
        )
    }

    @Test func unknownKeysPointAtTheKey() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: "log:\n  level: info\n  formt: json\n", environment: [:])
        }
        #expect(error?.line == 3)
        #expect(error?.column == 3)
        #expect(
            error?.description.hasPrefix("line 3, column 3: log.formt: unknown key, did you mean \"format\"?")
                == true)
    }

    @Test func bucketNamesWithDotsAreQuotedInPaths() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: "buckets: {media.example.com: {public: sometimes}}", environment: [:])
        }
        #expect(error?.path == "buckets[\"media.example.com\"].public")
    }

    @Test func secretsAreNotRepeatedInMessages() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: "security: {signing: {keys: [\"s3cr3t!value\"]}}", environment: [:])
        }
        #expect(error?.description.contains("s3cr3t") == false)
    }
}
