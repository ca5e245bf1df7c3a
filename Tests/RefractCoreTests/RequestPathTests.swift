import RefractCore
import Testing

@Suite struct RequestPathTests {
    @Test(arguments: [
        ("/photos/cat.jpg", RequestPath(bucket: "photos", key: "cat.jpg")),
        ("/photos/cat.jpg!resize:w=300", RequestPath(bucket: "photos", key: "cat.jpg", suffix: "resize:w=300")),
        (
            "/photos/a/b/cat.jpg!resize:w=400,h=400,fit=cover!format:auto",
            RequestPath(bucket: "photos", key: "a/b/cat.jpg", suffix: "resize:w=400,h=400,fit=cover!format:auto")
        ),
        ("/", RequestPath(bucket: "", key: "")),
        ("/photos", RequestPath(bucket: "photos", key: "")),
        ("/photos/", RequestPath(bucket: "photos", key: "")),
        ("/photos/dir/", RequestPath(bucket: "photos", key: "dir/")),
        ("/photos/dir//x", RequestPath(bucket: "photos", key: "dir//x")),
        ("/photos/!thumb", RequestPath(bucket: "photos", key: "", suffix: "thumb")),
        // An encoded `!` belongs to the key; the first raw one starts the suffix.
        ("/photos/wow%21.jpg", RequestPath(bucket: "photos", key: "wow!.jpg")),
        ("/photos/wow%21.jpg!thumb", RequestPath(bucket: "photos", key: "wow!.jpg", suffix: "thumb")),
        ("/photos/a%21b!c!d", RequestPath(bucket: "photos", key: "a!b", suffix: "c!d")),
        // A `!` in the bucket segment is not a suffix: the bucket name is simply not valid.
        ("/pho!tos/cat.jpg", RequestPath(bucket: "pho!tos", key: "cat.jpg")),
        // `+` is a plus in paths; `%20` is the space.
        ("/docs/a+b%20c.txt", RequestPath(bucket: "docs", key: "a+b c.txt")),
        ("/docs/%E6%97%A5%E6%9C%AC/%C3%A9t%C3%A9.txt", RequestPath(bucket: "docs", key: "日本/été.txt")),
        ("/docs/日本.txt!translate:fr", RequestPath(bucket: "docs", key: "日本.txt", suffix: "translate:fr")),
        ("/docs/%2Fslash%2f", RequestPath(bucket: "docs", key: "/slash/")),
        // The suffix is decoded after the split, so browsers may encode its punctuation.
        ("/photos/cat.jpg!resize%3Aw%3D300", RequestPath(bucket: "photos", key: "cat.jpg", suffix: "resize:w=300")),
    ])
    func splitsAndDecodes(rawPath: String, expected: RequestPath) throws {
        #expect(try RequestPath(rawPath: rawPath) == expected)
    }

    @Test(arguments: [
        ("/photos/cat%2.jpg", "key"),
        ("/photos/cat%zz.jpg", "key"),
        ("/photos/cat.jpg%", "key"),
        ("/photos/cat.jpg%4", "key"),
        ("/photos/%C3%28", "key"),
        ("/photos/%FF", "key"),
        ("/pho%tos/cat.jpg", "bucket name"),
        ("/photos/cat.jpg!resize:w=%3", "transform suffix"),
        ("/photos/cat.jpg!resize:w=%E2%82", "transform suffix"),
    ])
    func refusesBadEncoding(rawPath: String, part: String) {
        let error = #expect(throws: RefractError.self) { try RequestPath(rawPath: rawPath) }
        #expect(error?.s3Code == "InvalidArgument")
        #expect(error?.message.contains("The \(part) ") == true, "\(error?.message ?? "")")
    }

    @Test func refusesAPathWithoutLeadingSlash() {
        let error = #expect(throws: RefractError.self) { try RequestPath(rawPath: "photos/cat.jpg") }
        #expect(error?.s3Code == "InvalidArgument")
    }

    @Test(arguments: ["/photos/cat.jpg!", "/photos/!"])
    func refusesAnEmptySuffix(rawPath: String) {
        let error = #expect(throws: RefractError.self) { try RequestPath(rawPath: rawPath) }
        #expect(error?.s3Code == "InvalidTransform")
        #expect(error?.message == "The transform suffix after '!' is empty.")
    }
}
