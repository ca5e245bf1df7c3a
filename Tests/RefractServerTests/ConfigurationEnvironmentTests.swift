import Testing

@testable import RefractServer

@Suite("Configuration: ${VAR} expansion")
struct ConfigurationEnvironmentTests {
    @Test(
        arguments: [
            ("${HOST}", ["HOST": "example.com"], "example.com"),
            ("http://${HOST}:${PORT}/", ["HOST": "h", "PORT": "1"], "http://h:1/"),
            ("${HOST:-localhost}", [:], "localhost"),
            ("${HOST:-localhost}", ["HOST": ""], "localhost"),
            ("${HOST:-localhost}", ["HOST": "set"], "set"),
            ("${HOST:-}", [:], ""),
            ("${URL:-http://a:1/b}", [:], "http://a:1/b"),
            ("${EMPTY}", ["EMPTY": ""], ""),
            ("pa$$word$", [:], "pa$$word$"),
            ("$${HOST}", ["HOST": "h"], "${HOST}"),
            ("$HOST", ["HOST": "h"], "$HOST"),
            ("no variables", [:], "no variables"),
        ] as [(String, [String: String], String)])
    func expands(text: String, environment: [String: String], expected: String) throws {
        #expect(try EnvironmentExpansion.expand(text, environment: environment) == expected)
    }

    @Test(arguments: [
        ("${MISSING}", "environment variable MISSING is not set (write ${MISSING:-default} to give a default)"),
        ("${1ABC}", "\"${1ABC}\" is not a variable reference such as ${NAME} or ${NAME:-default}"),
        ("${}", "\"${}\" is not a variable reference"),
        ("${A B}", "\"${A B}\" is not a variable reference"),
        ("abc ${OPEN", "\"${\" without a closing \"}\""),
    ])
    func refuses(text: String, problem: String) throws {
        let failure = #expect(throws: EnvironmentExpansion.Failure.self) {
            try EnvironmentExpansion.expand(text, environment: [:])
        }
        #expect(failure?.problem.hasPrefix(problem) == true, "\(String(describing: failure))")
    }

    @Test func valuesAreExpandedBeforeTheyAreTyped() throws {
        let yaml = """
            server: {host: "${HOST:-0.0.0.0}", port: ${PORT}, drain_timeout: ${DRAIN:-30s}}
            buckets:
              photos: {public: ${PUBLIC}}
            transforms: {image: {max_source_bytes: "${MAX_BYTES}"}}
            """
        let environment = ["PORT": "9000", "PUBLIC": "true", "MAX_BYTES": "10MiB"]
        let configuration = try RefractConfiguration.parse(yaml: yaml, environment: environment)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 9000)
        #expect(configuration.server.drainTimeout == .seconds(30))
        #expect(configuration.buckets["photos"]?.isPublic == true)
        #expect(configuration.transforms.image.maxSourceBytes == 10 << 20)
    }

    @Test func anExpandedValueIsTypedLikeAWrittenOne() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: "server: {port: \"${PORT}\"}", environment: ["PORT": "http"])
        }
        #expect(error?.description == "line 1, column 16: server.port: expected an integer in 0...65535, got \"http\"")
    }

    @Test func aMissingVariableNamesTheKeyAndTheVariable() throws {
        let yaml = """
            stores:
              main: {type: s3, endpoint: "http://127.0.0.1:9000", access_key_id: ${S3_KEY}, secret_access_key: x}
            buckets: {docs: {store: main}}
            """
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: yaml, environment: ["S3_SECRET": "s"])
        }
        #expect(error?.path == "stores.main.access_key_id")
        #expect(
            error?.description
                == "line 2, column 70: stores.main.access_key_id: environment variable S3_KEY is not set "
                + "(write ${S3_KEY:-default} to give a default)"
        )
    }

    @Test func referencesNeedNoQuotesInFlowMappings() throws {
        let yaml = """
            server: {host: ${HOST:-[::1]}, port: ${PORT:-8081}, cache_control: ${CC:-public, max-age=60 #1}}
            access_points:
              thumbs: {bucket: photos, pipeline: ${PIPE}, payload: {width: ${W}, label: "${L:-a: {b}}"}}
            """
        let configuration = try RefractConfiguration.parse(yaml: yaml, environment: ["PIPE": "resize:w=1", "W": "300"])
        #expect(configuration.server.host == "[::1]")
        #expect(configuration.server.port == 8081)
        #expect(configuration.server.cacheControl == "public, max-age=60 #1")
        #expect(configuration.accessPoints["thumbs"]?.pipeline == "resize:w=1")
        #expect(configuration.accessPoints["thumbs"]?.payload == #"{"width":300,"label":"a: {b}"}"#)
    }

    @Test func duplicateKeysAreReportedAsWritten() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: "presets: {${A}: x, ${A}: y}", environment: [:])
        }
        #expect(error?.problem == "duplicate key \"${A}\"")
    }

    @Test func keysAreNotExpanded() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try RefractConfiguration.parse(yaml: "${SECTION}: {}", environment: ["SECTION": "server"])
        }
        #expect(error?.path == "[\"${SECTION}\"]", "a key that is not an identifier is quoted in the path")
        #expect(error?.problem.hasPrefix("unknown key") == true)
    }
}
