import Testing

@testable import RefractServer

@Suite("AccessPolicy")
struct AccessPolicyTests {
    static let policy = AccessPolicy(users: [
        UserConfiguration(
            accessKeyID: "reader",
            secretAccessKey: "reader-secret",
            allow: [
                AllowRule(action: .getObject, resource: "photos/*"),
                AllowRule(action: .listBucket, resource: "photos"),
                AllowRule(action: .transform, resource: "resize"),
                AllowRule(action: .transform, resource: "format"),
            ]
        ),
        UserConfiguration(
            accessKeyID: "uploader",
            secretAccessKey: "uploader-secret",
            allow: [
                AllowRule(action: .putObject, resource: "photos/uploads/*"),
                AllowRule(action: .deleteObject, resource: "photos/uploads/*.tmp"),
                AllowRule(action: .getObject, resource: "thumbs"),
                AllowRule(action: .getObject, resource: "docs/*/public/*"),
            ]
        ),
        UserConfiguration(
            accessKeyID: "admin",
            secretAccessKey: "admin-secret",
            allow: [AllowRule(action: .all, resource: "*")]
        ),
        UserConfiguration(
            accessKeyID: "photographer",
            secretAccessKey: "photographer-secret",
            allow: [AllowRule(action: .all, resource: "photos")]
        ),
        UserConfiguration(accessKeyID: "nobody", secretAccessKey: "nobody-secret", allow: []),
    ])

    @Test(
        arguments: [
            ("reader", AccessPolicy.Action.getObject, "photos/cat.jpg", true),
            ("reader", .getObject, "photos/2024/summer/cat.jpg", true),
            ("reader", .getObject, "photos/", true),
            ("reader", .getObject, "photos", false),
            ("reader", .getObject, "photosecret/cat.jpg", false),
            ("reader", .getObject, "docs/readme.txt", false),
            ("reader", .putObject, "photos/cat.jpg", false),
            ("reader", .deleteObject, "photos/cat.jpg", false),
            ("reader", .listBucket, "photos", true),
            ("reader", .listBucket, "docs", false),
            ("reader", .transform, "resize", true),
            ("reader", .transform, "format", true),
            ("reader", .transform, "translate", false),
            ("reader", .transform, "resizer", false),
            ("reader", .admin, "jobs", false),
            ("uploader", .putObject, "photos/uploads/a.jpg", true),
            ("uploader", .putObject, "photos/uploads/2024/a.jpg", true),
            ("uploader", .putObject, "photos/a.jpg", false),
            ("uploader", .putObject, "photos/uploadsx/a.jpg", false),
            ("uploader", .deleteObject, "photos/uploads/x.tmp", true),
            ("uploader", .deleteObject, "photos/uploads/deep/x.tmp", true),
            ("uploader", .deleteObject, "photos/uploads/x.tmp.jpg", false),
            ("uploader", .getObject, "thumbs/cat.jpg", true),
            ("uploader", .getObject, "thumbs/a/b/c.jpg", true),
            ("uploader", .getObject, "thumbsx/cat.jpg", false),
            ("uploader", .listBucket, "thumbs", false),
            ("uploader", .getObject, "docs/team/public/a.txt", true),
            ("uploader", .getObject, "docs/a/b/public/c/d.txt", true),
            ("uploader", .getObject, "docs/team/private/a.txt", false),
            ("admin", .getObject, "any/thing", true),
            ("admin", .putObject, "any/thing", true),
            ("admin", .listBucket, "any", true),
            ("admin", .transform, "translate", true),
            ("admin", .admin, "jobs", true),
            ("photographer", .getObject, "photos/cat.jpg", true),
            ("photographer", .deleteObject, "photos/cat.jpg", true),
            ("photographer", .listBucket, "photos", true),
            ("photographer", .getObject, "docs/cat.jpg", false),
            ("photographer", .admin, "jobs", false),
            ("nobody", .getObject, "photos/cat.jpg", false),
            ("stranger", .getObject, "photos/cat.jpg", false),
            ("", .getObject, "photos/cat.jpg", false),
        ] as [(String, AccessPolicy.Action, String, Bool)])
    func decides(user: String, action: AccessPolicy.Action, resource: String, allowed: Bool) {
        #expect(Self.policy.isAllowed(accessKeyID: user, action: action, resource: resource) == allowed)
    }

    @Test func secretsAreFoundByAccessKeyID() {
        #expect(Self.policy.secretAccessKey(for: "reader") == "reader-secret")
        #expect(Self.policy.secretAccessKey(for: "nobody") == "nobody-secret")
        #expect(Self.policy.secretAccessKey(for: "stranger") == nil)
    }

    @Test func anEmptyPolicyDeniesEverything() {
        let policy = AccessPolicy(users: [])
        for action in AccessPolicy.Action.allCases {
            #expect(!policy.isAllowed(accessKeyID: "admin", action: action, resource: "*"))
        }
    }

    @Test(arguments: [
        ("*", "", true),
        ("*", "a/b/c", true),
        ("a*", "a", true),
        ("a*c", "abc", true),
        ("a*c", "abcbc", true),
        ("a*c", "abcb", false),
        ("*.jpg", "x/y.jpg", true),
        ("*.jpg", "x/y.jpeg", false),
        ("a**b", "ab", true),
        ("a*b*c", "a-b-b-c", true),
        ("a*b*c", "a-c-b", false),
        ("abc", "abc", true),
        ("abc", "abcd", false),
        ("a?c", "abc", false),
        ("a?c", "a?c", true),
        ("", "", true),
        ("", "a", false),
    ])
    func globs(pattern: String, text: String, matches: Bool) {
        #expect(AccessPolicy.matches(pattern: Array(pattern.utf8), Array(text.utf8)) == matches)
    }

    @Test func isBuiltFromTheConfiguredRules() throws {
        let yaml = """
            buckets:
              photos: {public: true}
            access_points:
              thumbs: {bucket: photos, pipeline: "resize:w=300"}
            security:
              users:
                - access_key_id: AKIDEXAMPLE
                  secret_access_key: wJalrXUtnFEMI
                  allow: ["S3:GETOBJECT photos/*", "s3:GetObject thumbs", "refract:Transform *", "* photos/uploads/*"]
            """
        let configuration = try RefractConfiguration.parse(yaml: yaml, environment: [:])
        #expect(
            configuration.security.users[0].allow == [
                AllowRule(action: .getObject, resource: "photos/*"),
                AllowRule(action: .getObject, resource: "thumbs"),
                AllowRule(action: .transform, resource: "*"),
                AllowRule(action: .all, resource: "photos/uploads/*"),
            ]
        )
        let policy = AccessPolicy(users: configuration.security.users)
        #expect(policy.secretAccessKey(for: "AKIDEXAMPLE") == "wJalrXUtnFEMI")
        #expect(policy.isAllowed(accessKeyID: "AKIDEXAMPLE", action: .getObject, resource: "photos/cat.jpg"))
        #expect(policy.isAllowed(accessKeyID: "AKIDEXAMPLE", action: .getObject, resource: "thumbs/cat.jpg"))
        #expect(policy.isAllowed(accessKeyID: "AKIDEXAMPLE", action: .transform, resource: "resize"))
        #expect(policy.isAllowed(accessKeyID: "AKIDEXAMPLE", action: .putObject, resource: "photos/uploads/new.jpg"))
        #expect(!policy.isAllowed(accessKeyID: "AKIDEXAMPLE", action: .putObject, resource: "photos/new.jpg"))
        #expect(!policy.isAllowed(accessKeyID: "AKIDEXAMPLE", action: .listBucket, resource: "photos"))
    }
}
