import Foundation
import Logging
import Testing

@testable import RefractServer

@Suite("Configuration: defaults and complete documents")
struct ConfigurationTests {
    /// The values SPEC §3 gives for a gateway started without a configuration file.
    static let specDefaults = RefractConfiguration(
        server: ServerConfiguration(
            host: "127.0.0.1",
            port: 8080,
            cacheControl: "public, max-age=3600",
            drainTimeout: .seconds(10)
        ),
        stores: ["local": StoreConfiguration(kind: .filesystem(root: "./storage"))],
        buckets: [:],
        accessPoints: [:],
        presets: [:],
        transforms: TransformsConfiguration(
            image: ImageTransformConfiguration(
                maxSourceBytes: 52_428_800,
                maxSourcePixels: 50_000_000,
                maxDimension: 8192,
                workers: 0,
                queueLimit: 64
            ),
            translate: TranslateConfiguration(
                provider: .libretranslate,
                url: "http://127.0.0.1:5000",
                apiKey: nil,
                maxRequestBytes: 8000,
                concurrency: 4,
                timeout: .seconds(10)
            ),
            plugins: PluginsConfiguration(dir: "./transforms"),
            exif: ExifConfiguration(headBytes: 262_144)
        ),
        security: SecurityConfiguration(
            users: [],
            signing: SigningConfiguration(keys: [], required: false),
            onlyPresets: false,
            eventsToken: nil
        ),
        pipelines: [],
        queue: QueueConfiguration(url: "sqlite://./state/refract.db"),
        log: LogConfiguration(level: .info, format: .text)
    )

    @Test func noFileGivesTheDefaults() throws {
        let configuration = try RefractConfiguration.load(path: nil, environment: [:])
        #expect(configuration == Self.specDefaults)
        #expect(RefractConfiguration() == Self.specDefaults)
    }

    @Test(arguments: ["", "# nothing configured yet\n", "---\n", "~\n", "server: {}\nstores:\nbuckets:\n"])
    func emptyDocumentsGiveTheDefaults(yaml: String) throws {
        #expect(try RefractConfiguration.parse(yaml: yaml, environment: [:]) == Self.specDefaults)
    }

    /// SPEC §3's block as printed there, with its variables set.
    static let specExample = """
        server: {host: 127.0.0.1, port: 8080}
        stores:
          local: {type: filesystem, root: ./storage}
          main:  {type: s3, endpoint: http://127.0.0.1:9000, region: us-east-1,
                  access_key_id: ${S3_KEY}, secret_access_key: ${S3_SECRET}}
        buckets:
          photos: {store: local, public: true}          # folder storage/photos
          docs:   {store: main, name: real-bucket-name}
        access_points:
          thumbs: {bucket: photos, pipeline: "resize:w=300!format:webp", payload: {any: json}}
        presets:
          thumb: "resize:w=200,h=200,fit=cover"
        transforms:
          image: {max_source_bytes: 50MiB, max_source_pixels: 50000000, max_dimension: 8192,
                  workers: 0, queue_limit: 64}           # workers 0 = one per core; a full queue → 503 SlowDown
          translate: {provider: libretranslate, url: http://127.0.0.1:5000, api_key: ${TR_KEY},
                      max_request_bytes: 8000, concurrency: 4, timeout: 10s}   # bytes of one request body; or provider: deepl
          plugins: {dir: ./transforms}
        security:
          users:
            - {access_key_id: AK.., secret_access_key: ..,
               allow: ["s3:GetObject photos/*", "s3:PutObject photos/uploads/*", "refract:Transform *"]}
          signing: {keys: ["hex-or-base64-secret"], required: false}   # signed suffix URLs
          only_presets: false
        pipelines: []          # §4
        queue: {url: sqlite://./state/refract.db}      # or postgres://… for several gateways
        log: {level: info, format: text}               # or json
        """

    @Test func specExampleParsesToItsValues() throws {
        let environment = ["S3_KEY": "minio-key", "S3_SECRET": "minio-secret", "TR_KEY": "translate-key"]
        let configuration = try RefractConfiguration.parse(yaml: Self.specExample, environment: environment)
        // "hex-or-base64-secret" is not hex, so it is base64url: the same bytes as its standard-alphabet spelling.
        let signingKey = try #require(Data(base64Encoded: "hex+or+base64+secret"))

        var expected = Self.specDefaults
        expected.stores = [
            "local": StoreConfiguration(kind: .filesystem(root: "./storage")),
            "main": StoreConfiguration(
                kind: .s3(
                    S3StoreConfiguration(
                        endpoint: "http://127.0.0.1:9000",
                        region: "us-east-1",
                        accessKeyID: "minio-key",
                        secretAccessKey: "minio-secret",
                        pathStyle: true,
                        connectTimeout: .seconds(5),
                        readTimeout: .seconds(30)
                    )
                )
            ),
        ]
        expected.buckets = [
            "photos": BucketConfiguration(store: "local", name: "photos", isPublic: true),
            "docs": BucketConfiguration(store: "main", name: "real-bucket-name", isPublic: false),
        ]
        expected.accessPoints = [
            "thumbs": AccessPointConfiguration(
                bucket: "photos",
                pipeline: "resize:w=300!format:webp",
                payload: #"{"any":"json"}"#
            )
        ]
        expected.presets = ["thumb": "resize:w=200,h=200,fit=cover"]
        expected.transforms.translate.apiKey = "translate-key"
        expected.security = SecurityConfiguration(
            users: [
                UserConfiguration(
                    accessKeyID: "AK..",
                    secretAccessKey: "..",
                    allow: [
                        AllowRule(action: .getObject, resource: "photos/*"),
                        AllowRule(action: .putObject, resource: "photos/uploads/*"),
                        AllowRule(action: .transform, resource: "*"),
                    ]
                )
            ],
            signing: SigningConfiguration(keys: [Array(signingKey)], required: false),
            onlyPresets: false,
            eventsToken: nil
        )
        #expect(configuration == expected)
    }

    @Test func specPipelineExampleParsesToItsValues() throws {
        let yaml = """
            buckets:
              photos: {store: local}
            pipelines:
              - name: thumbnails
                bucket: photos
                events: [put]                       # put, delete
                match: {prefix: "uploads/", suffix: [".jpg", ".jpeg", ".png"]}
                outputs:
                  - {key: "resized/480/{key}",        pipeline: "resize:w=480"}
                  - {key: "resized/1000/{stem}.webp", pipeline: "resize:w=1000!format:webp"}
                  - {key: "meta/{key}.json",          pipeline: "exif"}
                retry: {max_attempts: 5, backoff: 1s, max_backoff: 5m}
            """
        let configuration = try RefractConfiguration.parse(yaml: yaml, environment: [:])
        let expected = PipelineConfiguration(
            name: "thumbnails",
            bucket: "photos",
            events: [.put],
            match: PipelineConfiguration.Match(prefix: "uploads/", suffixes: [".jpg", ".jpeg", ".png"]),
            outputs: [
                PipelineConfiguration.Output(key: "resized/480/{key}", pipeline: "resize:w=480"),
                PipelineConfiguration.Output(key: "resized/1000/{stem}.webp", pipeline: "resize:w=1000!format:webp"),
                PipelineConfiguration.Output(key: "meta/{key}.json", pipeline: "exif"),
            ],
            retry: PipelineConfiguration.Retry(maxAttempts: 5, backoff: .seconds(1), maxBackoff: .seconds(300))
        )
        #expect(configuration.pipelines == [expected])
        #expect(configuration.pipelines[0].match.matches("uploads/2024/a.b.jpg"))
        #expect(!configuration.pipelines[0].match.matches("uploads/2024/a.b.gif"))
        #expect(!configuration.pipelines[0].match.matches("other/a.jpg"))
    }

    @Test func pipelineDefaultsAndSingleSuffix() throws {
        let yaml = """
            pipelines:
              - name: meta
                bucket: photos
                events: [delete, put, put]
                match: {suffix: .jpg}
                outputs: [{key: "meta/{dir}{name}.json", pipeline: exif}]
              - name: all
                bucket: photos
                outputs: [{key: "copy/{key}", pipeline: strip}]
                retry: {backoff: 10m}
            """
        let pipelines = try RefractConfiguration.parse(yaml: yaml, environment: [:]).pipelines
        #expect(pipelines.map(\.events) == [[.delete, .put], [.put]])
        #expect(pipelines[0].match == PipelineConfiguration.Match(prefix: "", suffixes: [".jpg"]))
        #expect(pipelines[1].match.matches("any/key"))
        // A backoff longer than the default max_backoff raises it rather than being cut short.
        #expect(
            pipelines[1].retry
                == PipelineConfiguration.Retry(maxAttempts: 5, backoff: .seconds(600), maxBackoff: .seconds(600)))
    }

    @Test func everyOtherKeyIsRead() throws {
        let yaml = """
            server: {host: 0.0.0.0, port: 9000, cache_control: "no-store", drain_timeout: 250ms}
            stores:
              aws:
                type: s3
                endpoint: https://s3.eu-west-1.amazonaws.com
                region: eu-west-1
                access_key_id: AKIA
                secret_access_key: secret
                path_style: false
                connect_timeout: 2
                read_timeout: 1m
            buckets:
              media.example.com: {public: yes}
            transforms:
              image: {max_source_bytes: 1GiB, max_source_pixels: 100_000_000, max_dimension: 4096, workers: 2,
                      queue_limit: 0}
              translate: {provider: deepl, api_key: "abc:fx", max_request_bytes: 64KiB, concurrency: 1, timeout: 1.5s}
              plugins: {dir: /opt/refract/transforms}
              exif: {head_bytes: 64KiB}
            security:
              signing: {keys: "00ff10"}
              only_presets: true
              events_token: tok3n
            queue: {url: "postgres://refract@db/refract"}
            log: {level: debug, format: json}
            """
        let configuration = try RefractConfiguration.parse(yaml: yaml, environment: [:])
        #expect(
            configuration.server
                == ServerConfiguration(
                    host: "0.0.0.0", port: 9000, cacheControl: "no-store",
                    drainTimeout: .milliseconds(250)))
        #expect(
            configuration.stores == [
                "aws": StoreConfiguration(
                    kind: .s3(
                        S3StoreConfiguration(
                            endpoint: "https://s3.eu-west-1.amazonaws.com",
                            region: "eu-west-1",
                            accessKeyID: "AKIA",
                            secretAccessKey: "secret",
                            pathStyle: false,
                            connectTimeout: .seconds(2),
                            readTimeout: .seconds(60)
                        )
                    )
                )
            ]
        )
        // The only store is the store of a bucket that names none.
        #expect(
            configuration.buckets == [
                "media.example.com": BucketConfiguration(store: "aws", name: "media.example.com", isPublic: true)
            ])
        #expect(
            configuration.transforms
                == TransformsConfiguration(
                    image: ImageTransformConfiguration(
                        maxSourceBytes: 1 << 30,
                        maxSourcePixels: 100_000_000,
                        maxDimension: 4096,
                        workers: 2,
                        queueLimit: 0
                    ),
                    translate: TranslateConfiguration(
                        provider: .deepl,
                        url: "https://api-free.deepl.com",
                        apiKey: "abc:fx",
                        maxRequestBytes: 65536,
                        concurrency: 1,
                        timeout: .milliseconds(1500)
                    ),
                    plugins: PluginsConfiguration(dir: "/opt/refract/transforms"),
                    exif: ExifConfiguration(headBytes: 65536)
                )
        )
        #expect(configuration.security.signing == SigningConfiguration(keys: [[0x00, 0xFF, 0x10]], required: false))
        #expect(configuration.security.onlyPresets)
        #expect(configuration.security.eventsToken == "tok3n")
        #expect(configuration.queue.url == "postgres://refract@db/refract")
        #expect(configuration.log == LogConfiguration(level: .debug, format: .json))
    }

    @Test func deeplDefaultsToItsPaidAPIForOtherKeys() throws {
        let yaml = "transforms: {translate: {provider: deepl, api_key: paid-key}}"
        let translate = try RefractConfiguration.parse(yaml: yaml, environment: [:]).transforms.translate
        #expect(translate.url == "https://api.deepl.com")
    }

    @Test func choicesIgnoreCase() throws {
        let yaml = "log: {level: Warning, format: JSON}\ntransforms: {translate: {provider: LibreTranslate}}"
        let configuration = try RefractConfiguration.parse(yaml: yaml, environment: [:])
        #expect(configuration.log == LogConfiguration(level: .warning, format: .json))
        #expect(configuration.transforms.translate.provider == .libretranslate)
    }

    @Test func emptyEventsTokenAcceptsNoToken() throws {
        let yaml = "security: {events_token: \"${EVENTS_TOKEN:-}\"}"
        #expect(try RefractConfiguration.parse(yaml: yaml, environment: [:]).security.eventsToken == nil)
        #expect(
            try RefractConfiguration.parse(yaml: yaml, environment: ["EVENTS_TOKEN": ""]).security.eventsToken == nil)
    }

    @Test func payloadKeepsAnyValueAsCompactJSON() throws {
        let yaml = """
            access_points:
              redacted:
                bucket: docs
                pipeline: redact
                payload:
                  mask: "*"
                  count: 3
                  ratio: 0.5
                  enabled: true
                  missing: ~
                  quoted: "42"
                  list: [a, 'b "c"', {nested: yes}]
                  text: |
                    line one
                    line\ttwo
                  region: ${REGION}
              plain: {bucket: docs, pipeline: strip, payload: just-a-string}
              none: {bucket: docs, pipeline: strip}
            """
        let accessPoints = try RefractConfiguration.parse(yaml: yaml, environment: ["REGION": "eu"]).accessPoints
        #expect(
            accessPoints["redacted"]?.payload
                == #"{"mask":"*","count":3,"ratio":0.5,"enabled":true,"missing":null,"quoted":"42","#
                + #""list":["a","b \"c\"",{"nested":true}],"text":"line one\nline\ttwo\n","region":"eu"}"#
        )
        #expect(accessPoints["plain"]?.payload == #""just-a-string""#)
        #expect(accessPoints["none"]?.payload == nil)
        let payload = try #require(accessPoints["redacted"]?.payload?.data(using: .utf8))
        #expect(try JSONSerialization.jsonObject(with: payload) is [String: Any])
    }

    @Test func mergeKeysFillInMissingKeys() throws {
        let yaml = """
            stores:
              east: &s3 {type: s3, endpoint: "http://minio:9000", access_key_id: k, secret_access_key: s}
              west:
                <<: *s3
                region: us-west-2
            buckets:
              a-bucket: {store: east}
            """
        let stores = try RefractConfiguration.parse(yaml: yaml, environment: [:]).stores
        guard case .s3(let west) = stores["west"]?.kind else {
            Issue.record("west is not an s3 store: \(String(describing: stores["west"]))")
            return
        }
        #expect(west.region == "us-west-2")
        #expect(west.endpoint == "http://minio:9000")
        #expect(west.accessKeyID == "k")
    }

    @Test func loadsAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("refract-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("refract.yml")
        try Data("server: {port: ${PORT}}\n".utf8).write(to: file)

        let configuration = try RefractConfiguration.load(path: file.path, environment: ["PORT": "9090"])
        #expect(configuration.server.port == 9090)

        try Data("server:\n  port: 99999\n".utf8).write(to: file)
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.load(path: file.path, environment: [:])
        }
        #expect(error?.description == "\(file.path):2:9: server.port: expected an integer in 0...65535, got \"99999\"")
    }

    @Test func anExplicitFileThatDoesNotExistIsAnError() throws {
        let path = "/nonexistent/refract-\(UUID()).yml"
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.load(path: path, environment: [:])
        }
        #expect(error?.description == "\(path): no such file")
    }
}
