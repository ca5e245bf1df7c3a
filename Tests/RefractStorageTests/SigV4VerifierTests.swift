import Foundation
import RefractCore
import Testing

@testable import RefractStorage

@Suite struct SigV4VerifierTests {
    static let s3Secret = SigV4SignerTests.s3Credentials.secretAccessKey
    static let s3Date = SigV4SignerTests.s3Date
    static let verifier = SigV4Verifier()
    static let users = [
        "AKIAIOSFODNN7EXAMPLE": s3Secret,
        "AKIDREFRACT": "refract/secret+KEY=example",
    ]

    static func secret(_ accessKeyID: String) -> String? { users[accessKeyID] }

    static func verify(
        _ rawPath: String,
        method: String = "GET",
        query: String = "",
        headers: [(name: String, value: String)],
        now: Date = s3Date,
        verifier: SigV4Verifier = verifier
    ) throws -> SigV4Identity? {
        try verifier.verify(
            method: method,
            rawPath: rawPath,
            rawQuery: query,
            headers: headers,
            now: now,
            secretAccessKey: secret
        )
    }

    static let getObjectHeaders: [(name: String, value: String)] = [
        ("Host", "examplebucket.s3.amazonaws.com"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        ),
        ("Range", "bytes=0-9"),
        ("x-amz-content-sha256", SigV4SignerTests.emptySHA256),
        ("x-amz-date", "20130524T000000Z"),
        ("User-Agent", "curl/8.0"),
    ]

    @Test func anonymousRequestsHaveNoIdentity() throws {
        #expect(try Self.verify("/photos/cat.jpg", query: "list-type=2", headers: [("Host", "localhost")]) == nil)
    }

    @Test func acceptsTheS3GetObjectExample() throws {
        let identity = try #require(try Self.verify("/test.txt", headers: Self.getObjectHeaders))
        #expect(identity.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
        #expect(identity.form == .header)
        #expect(identity.region == "us-east-1")
        #expect(identity.payloadHash == .sha256(SigV4SignerTests.emptySHA256))
        #expect(
            identity.chunkSigning.seedSignature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func acceptsTheS3PutObjectExampleWhicheverWayItsPathIsWritten() throws {
        let headers: [(name: String, value: String)] = [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                    + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                    + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
            ),
            ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
        ]
        for path in ["/test$file.text", "/test%24file.text"] {
            let identity = try #require(try Self.verify(path, method: "PUT", headers: headers))
            #expect(identity.payloadHash == .sha256("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"))
        }
        expectRefractError("SignatureDoesNotMatch") {
            _ = try Self.verify("/test%2524file.text", method: "PUT", headers: headers)
        }
    }

    @Test func acceptsTheS3LifecycleAndListObjectsExamples() throws {
        let cases = [
            ("lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
            ("max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        ]
        for (query, signature) in cases {
            let headers: [(name: String, value: String)] = [
                ("Host", "examplebucket.s3.amazonaws.com"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                        + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=\(signature)"
                ),
                ("x-amz-content-sha256", SigV4SignerTests.emptySHA256), ("x-amz-date", "20130524T000000Z"),
            ]
            #expect(try Self.verify("/", query: query, headers: headers) != nil, "?\(query)")
        }
    }

    static let presignedQuery =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    static let presignedHeaders: [(name: String, value: String)] = [("Host", "examplebucket.s3.amazonaws.com")]

    @Test func acceptsTheS3PresignedExampleWhileItIsValid() throws {
        for offset in [0.0, 3600, 86400] {
            let identity = try #require(
                try Self.verify(
                    "/test.txt",
                    query: Self.presignedQuery,
                    headers: Self.presignedHeaders,
                    now: Self.s3Date + offset
                )
            )
            #expect(identity.form == .presignedURL)
            #expect(identity.payloadHash == .unsigned)
        }
    }

    @Test func refusesThePresignedExampleOutsideItsValidity() {
        let expired = #expect(throws: RefractError.self) {
            _ = try Self.verify(
                "/test.txt",
                query: Self.presignedQuery,
                headers: Self.presignedHeaders,
                now: Self.s3Date + 86401
            )
        }
        #expect(expired == .accessDenied("Request has expired"))
        let early = #expect(throws: RefractError.self) {
            _ = try Self.verify(
                "/test.txt",
                query: Self.presignedQuery,
                headers: Self.presignedHeaders,
                now: Self.s3Date - 16 * 60
            )
        }
        #expect(early == .accessDenied("Request is not valid yet"))
    }

    @Test func refusesATamperedPresignedURL() {
        let tampered = [
            ("/test2.txt", Self.presignedQuery, "examplebucket.s3.amazonaws.com"),
            (
                "/test.txt", Self.presignedQuery.replacingOccurrences(of: "86400", with: "86401"),
                "examplebucket.s3.amazonaws.com"
            ),
            ("/test.txt", Self.presignedQuery + "&versionId=1", "examplebucket.s3.amazonaws.com"),
            ("/test.txt", Self.presignedQuery, "otherbucket.s3.amazonaws.com"),
        ]
        for (path, query, host) in tampered {
            expectRefractError("SignatureDoesNotMatch", "\(path)?\(query) at \(host)") {
                _ = try Self.verify(path, query: query, headers: [("Host", host)], now: Self.s3Date + 60)
            }
        }
    }

    /// The chunked upload example's headers: the seed signature, and what decoding its chunks needs.
    @Test func acceptsTheS3ChunkedUploadExample() throws {
        let identity = try #require(
            try Self.verify("/examplebucket/chunkObject.txt", method: "PUT", headers: AWSChunkedTests.exampleHeaders)
        )
        #expect(identity.payloadHash == .streamingSigned)
        #expect(identity.chunkSigning == AWSChunkedTests.exampleContext)
    }

    // MARK: - Requests made by real clients

    /// botocore 1.43.11's S3SigV4Auth, frozen at 20250301T120000Z, path style against 127.0.0.1:8080.
    @Test func acceptsRequestsBotocoreSigned() throws {
        let now = Date(timeIntervalSince1970: 1_740_830_400)
        let put: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:8080"), ("Content-Type", "image/jpeg"), ("x-amz-meta-owner", "ana"),
            ("Content-MD5", "kR3iNqQ7I7bY3Ho0lFcNxg=="), ("X-Amz-Date", "20250301T120000Z"),
            ("X-Amz-Content-SHA256", "2c3278c065b508249243f1a6abf1fbcc53185ae7496fbd51fc0e4e7d0dad4e24"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDREFRACT/20250301/eu-west-3/s3/aws4_request, "
                    + "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-owner, "
                    + "Signature=a8e60902ab2a0a887e1ec086366ee167f73ae0db4f508a320befd51f0e879570"
            ),
        ]
        let putIdentity = try #require(
            try Self.verify(
                "/photos/uploads/a%20b%2Bc%24%21%28x%29.jpg",
                method: "PUT",
                query: "x-id=PutObject",
                headers: put,
                now: now
            )
        )
        #expect(putIdentity.region == "eu-west-3")

        let list: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:8080"), ("X-Amz-Date", "20250301T120000Z"),
            ("X-Amz-Content-SHA256", SigV4SignerTests.emptySHA256),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDREFRACT/20250301/eu-west-3/s3/aws4_request, "
                    + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                    + "Signature=06b9af5a78134276e59631725c05158126302abe37cd884ab7fd97f70216228c"
            ),
        ]
        #expect(
            try Self.verify(
                "/photos",
                query: "list-type=2&prefix=uploads%2F&delimiter=%2F&max-keys=2&encoding-type=url",
                headers: list,
                now: now
            ) != nil
        )

        let presigned =
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDREFRACT%2F20250301%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20250301T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=60fa26ac8d2c9556b555886283365af85a931e9169311cbd88b1add9d19573e6"
        let presignedIdentity = try Self.verify(
            "/photos/cat%20one.jpg",
            query: presigned,
            headers: [("Host", "127.0.0.1:8080")],
            now: now
        )
        #expect(presignedIdentity?.form == .presignedURL)
    }

    /// `aws s3 cp file.txt s3://photos/uploads/cli.txt --endpoint-url http://127.0.0.1:36209` (aws-cli 1.45.11),
    /// as captured on the wire.
    @Test func acceptsARequestAwsCliSent() throws {
        let identity = try #require(
            try Self.verify(
                "/photos/uploads/cli.txt",
                method: "PUT",
                headers: Self.awsCliPutHeaders,
                now: Date(timeIntervalSince1970: 1_795_425_950)
            )
        )
        #expect(identity.accessKeyID == "AKIDREFRACT")
        #expect(identity.payloadHash == .sha256("88f1f0c60317900ff592b5d98fa9493d0c6920f5ad90e5477d3cfcafbc0f181a"))
    }

    static let awsCliPutHeaders: [(name: String, value: String)] = [
        ("Host", "127.0.0.1:36209"), ("Accept-Encoding", "identity"), ("x-amz-sdk-checksum-algorithm", "CRC32"),
        ("Content-Type", "text/plain"),
        ("User-Agent", "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux lang/python#3.11.7 botocore/1.43.11"),
        ("Expect", "100-continue"), ("x-amz-checksum-crc32", "pVYJNA=="), ("X-Amz-Date", "20261123T092550Z"),
        ("X-Amz-Content-SHA256", "88f1f0c60317900ff592b5d98fa9493d0c6920f5ad90e5477d3cfcafbc0f181a"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDREFRACT/20261123/us-east-1/s3/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;"
                + "x-amz-sdk-checksum-algorithm, "
                + "Signature=e0807ad3eb4ae68a2843ef0ea0f88eeca6f83429c41b625f5b404a76c49fc0f4"
        ),
        ("amz-sdk-invocation-id", "7d0b05d4-ef44-49fd-a7ce-27750ad6465d"), ("amz-sdk-request", "attempt=1"),
        ("Content-Length", "44"),
    ]

    // MARK: - Round trips through the signer

    static let credentials = SigV4Credentials(accessKeyID: "AKIDREFRACT", secretAccessKey: "refract/secret+KEY=example")
    static let now = Date(timeIntervalSince1970: 1_763_900_000)

    static func signedRequest(
        method: String = "PUT",
        path: String = "/photos/uploads/%C3%A9t%C3%A9%202024/a+b.jpg",
        query: String = "partNumber=2&uploadId=abc%2Fdef",
        region: String = "ap-southeast-2",
        credentials: SigV4Credentials = credentials
    ) -> [(name: String, value: String)] {
        let headers: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:9000"), ("Content-Type", "image/jpeg"), ("x-amz-meta-caption", "  a   cat  "),
            ("Content-Length", "13"),
        ]
        let signed = SigV4Signer(credentials: credentials, region: region).sign(
            method: method,
            path: path,
            query: query,
            headers: headers,
            payloadHash: .unsigned,
            date: now
        )
        return headers + signed.headers
    }

    @Test func verifiesWhatTheSignerSigns() throws {
        let identity = try #require(
            try Self.verify(
                "/photos/uploads/%C3%A9t%C3%A9%202024/a+b.jpg",
                method: "PUT",
                query: "uploadId=abc%2Fdef&partNumber=2",
                headers: Self.signedRequest(),
                now: Self.now
            )
        )
        #expect(identity.region == "ap-southeast-2", "any region is accepted, and its own key derived")
        #expect(identity.payloadHash == .unsigned)
        #expect(identity.form == .header)
    }

    @Test func verifiesWhatTheSignerPresigns() throws {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        let url = try signer.presign(
            method: "GET",
            path: "/photos/cat.jpg%21resize",
            query: "response-content-type=image%2Fwebp",
            host: "127.0.0.1:8080",
            expires: .seconds(600),
            date: Self.now
        )
        let (path, query) = try #require(url.split(separator: "?", maxSplits: 1).map(String.init).pair)
        let identity = try #require(
            try Self.verify(path, query: query, headers: [("host", "127.0.0.1:8080")], now: Self.now + 600)
        )
        #expect(identity.form == .presignedURL)
        let expired = #expect(throws: RefractError.self) {
            _ = try Self.verify(path, query: query, headers: [("host", "127.0.0.1:8080")], now: Self.now + 601)
        }
        #expect(expired == .accessDenied("Request has expired"))
    }

    @Test func refusesAnyTampering() {
        let path = "/photos/uploads/%C3%A9t%C3%A9%202024/a+b.jpg"
        let query = "partNumber=2&uploadId=abc%2Fdef"
        let headers = Self.signedRequest()
        var changedHeader = headers
        changedHeader[1].value = "image/png"
        var addedValue = headers
        addedValue.append(("Content-Type", "image/png"))
        let otherSecret = Self.signedRequest(
            credentials: SigV4Credentials(accessKeyID: "AKIDREFRACT", secretAccessKey: "another secret")
        )
        let cases: [(String, String, String, [(name: String, value: String)])] = [
            ("changed header", path, query, changedHeader),
            ("repeated header", path, query, addedValue),
            ("changed path", "/photos/uploads/%C3%A9t%C3%A9%202024/a%20b.jpg", query, headers),
            ("changed query", path, "partNumber=3&uploadId=abc%2Fdef", headers),
            ("added query", path, query + "&x=1", headers),
            ("other secret", path, query, otherSecret),
        ]
        for (name, path, query, headers) in cases {
            expectRefractError("SignatureDoesNotMatch", "\(name)") {
                _ = try Self.verify(path, method: "PUT", query: query, headers: headers, now: Self.now)
            }
        }
        expectRefractError("SignatureDoesNotMatch", "method") {
            _ = try Self.verify(path, method: "POST", query: query, headers: headers, now: Self.now)
        }
    }

    @Test func refusesUnknownAccessKeys() {
        var headers = Self.signedRequest()
        let index = headers.firstIndex { $0.name == "authorization" }!
        headers[index].value = headers[index].value.replacingOccurrences(of: "AKIDREFRACT", with: "AKIDUNKNOWN")
        expectRefractError("InvalidAccessKeyId") {
            _ = try Self.verify(
                "/photos/uploads/%C3%A9t%C3%A9%202024/a+b.jpg",
                method: "PUT",
                headers: headers,
                now: Self.now
            )
        }
    }

    @Test func refusesRequestsTooFarFromTheServersTime() throws {
        let path = "/photos/uploads/%C3%A9t%C3%A9%202024/a+b.jpg"
        let query = "partNumber=2&uploadId=abc%2Fdef"
        for offset: TimeInterval in [-15 * 60, 15 * 60] {
            #expect(
                try Self.verify(
                    path,
                    method: "PUT",
                    query: query,
                    headers: Self.signedRequest(),
                    now: Self.now + offset
                ) != nil
            )
        }
        for offset: TimeInterval in [-15 * 60 - 1, 15 * 60 + 1] {
            expectRefractError("RequestTimeTooSkewed", "\(offset)") {
                _ = try Self.verify(
                    path,
                    method: "PUT",
                    query: query,
                    headers: Self.signedRequest(),
                    now: Self.now + offset
                )
            }
        }
    }

    @Test func takesHostFromTheAuthorityPseudoHeader() throws {
        let headers = Self.signedRequest(method: "GET", path: "/photos/a.jpg", query: "").map {
            $0.name == "Host" ? (name: ":authority", value: $0.value) : $0
        }
        #expect(try Self.verify("/photos/a.jpg", method: "GET", headers: headers, now: Self.now) != nil)
    }

    @Test func acceptsOnlyTheConfiguredServices() throws {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3-object-lambda")
        let headers: [(name: String, value: String)] = [("Host", "127.0.0.1:8080")]
        let signed =
            headers
            + signer.sign(
                method: "POST",
                path: "/WriteGetObjectResponse",
                headers: headers,
                payloadHash: .unsigned,
                date: Self.now
            ).headers
        expectRefractError("AuthorizationHeaderMalformed") {
            _ = try Self.verify("/WriteGetObjectResponse", method: "POST", headers: signed, now: Self.now)
        }
        let lambdaVerifier = SigV4Verifier(services: ["s3", "s3-object-lambda"])
        let identity = try Self.verify(
            "/WriteGetObjectResponse",
            method: "POST",
            headers: signed,
            now: Self.now,
            verifier: lambdaVerifier
        )
        #expect(identity?.accessKeyID == "AKIDREFRACT")
    }

    // MARK: - Malformed requests

    static func withAuthorization(_ value: String) -> [(name: String, value: String)] {
        Self.getObjectHeaders.map { $0.name == "Authorization" ? (name: $0.name, value: value) : $0 }
    }

    @Test func refusesMalformedAuthorizationHeaders() {
        let signature = "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        let cases: [(String, String)] = [
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3, "
                    + "SignedHeaders=host, \(signature)",
                "AuthorizationHeaderMalformed"
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \(signature)",
                "AuthorizationHeaderMalformed"
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/aws4_request, "
                    + "SignedHeaders=host, \(signature)", "AuthorizationHeaderMalformed"
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130525/us-east-1/s3/aws4_request, "
                    + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \(signature)",
                "AuthorizationHeaderMalformed"
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request, "
                    + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \(signature)",
                "AuthorizationHeaderMalformed"
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                    + "SignedHeaders=range;x-amz-content-sha256;x-amz-date, \(signature)",
                "AuthorizationHeaderMalformed"
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                    + "SignedHeaders=Host;range, \(signature)", "AuthorizationHeaderMalformed"
            ),
            ("AWS4-HMAC-SHA256 garbage", "AuthorizationHeaderMalformed"),
            ("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "AccessDenied"),
            ("AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request", "AccessDenied"),
            ("Bearer token", "AccessDenied"),
        ]
        for (authorization, code) in cases {
            expectRefractError(code, "\(authorization)") {
                _ = try Self.verify("/test.txt", headers: Self.withAuthorization(authorization))
            }
        }
    }

    @Test func refusesRequestsWithoutATime() {
        let headers = Self.getObjectHeaders.filter { $0.name != "x-amz-date" }
        let error = #expect(throws: RefractError.self) { _ = try Self.verify("/test.txt", headers: headers) }
        #expect(error == .accessDenied("AWS authentication requires a valid Date or x-amz-date header"))
        expectRefractError("AccessDenied") {
            _ = try Self.verify("/test.txt", headers: headers + [("x-amz-date", "2013-05-24T00:00:00Z")])
        }
    }

    @Test func refusesMissingOrInvalidPayloadHashes() {
        expectRefractError("InvalidRequest") {
            _ = try Self.verify(
                "/test.txt",
                headers: Self.getObjectHeaders.filter { $0.name != "x-amz-content-sha256" }
            )
        }
        let invalid = Self.getObjectHeaders.map {
            $0.name == "x-amz-content-sha256" ? (name: $0.name, value: "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") : $0
        }
        expectRefractError("InvalidArgument") { _ = try Self.verify("/test.txt", headers: invalid) }
    }

    @Test func refusesUnsignedAmzHeaders() {
        let headers = Self.getObjectHeaders + [("x-amz-meta-added", "in flight")]
        expectRefractError("AccessDenied") { _ = try Self.verify("/test.txt", headers: headers) }
        expectRefractError("AccessDenied") {
            _ = try Self.verify(
                "/test.txt",
                query: Self.presignedQuery,
                headers: Self.presignedHeaders + [("x-amz-acl", "public-read")]
            )
        }
    }

    @Test func refusesTwoAuthenticationMechanisms() {
        expectRefractError("InvalidArgument") {
            _ = try Self.verify("/test.txt", query: Self.presignedQuery, headers: Self.getObjectHeaders)
        }
    }

    @Test func refusesMalformedPresignedURLs() {
        let cases: [(String, String)] = [
            (
                Self.presignedQuery.replacingOccurrences(of: "&X-Amz-SignedHeaders=host", with: ""),
                "AuthorizationHeaderMalformed"
            ),
            (
                Self.presignedQuery.replacingOccurrences(of: "X-Amz-Algorithm=AWS4-HMAC-SHA256&", with: ""),
                "AuthorizationHeaderMalformed"
            ),
            (Self.presignedQuery.replacingOccurrences(of: "AWS4-HMAC-SHA256", with: "AWS4-HMAC-SHA1"), "AccessDenied"),
            (Self.presignedQuery.replacingOccurrences(of: "86400", with: "604801"), "AuthorizationHeaderMalformed"),
            (Self.presignedQuery.replacingOccurrences(of: "86400", with: "-1"), "AuthorizationHeaderMalformed"),
            (
                Self.presignedQuery.replacingOccurrences(of: "X-Amz-Date=20130524T000000Z", with: "X-Amz-Date=2013"),
                "AuthorizationHeaderMalformed"
            ),
            (
                Self.presignedQuery.replacingOccurrences(of: "%2Fs3%2F", with: "%2Fsqs%2F"),
                "AuthorizationHeaderMalformed"
            ),
        ]
        for (query, code) in cases {
            expectRefractError(code, "\(query)") {
                _ = try Self.verify("/test.txt", query: query, headers: Self.presignedHeaders, now: Self.s3Date + 60)
            }
        }
    }

    @Test func comparesSignaturesInConstantTimeButExactly() {
        #expect(SigV4Hashing.constantTimeEquals("abc", "abc"))
        #expect(!SigV4Hashing.constantTimeEquals("abc", "abd"))
        #expect(!SigV4Hashing.constantTimeEquals("abc", "abcd"))
        #expect(!SigV4Hashing.constantTimeEquals("", "a"))
        #expect(SigV4Hashing.constantTimeEquals("", ""))
    }
}

extension Array {
    fileprivate var pair: (Element, Element)? {
        count == 2 ? (self[0], self[1]) : nil
    }
}
