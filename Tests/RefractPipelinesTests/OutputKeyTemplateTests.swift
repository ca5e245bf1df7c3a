import RefractPipelines
import Testing

@Suite struct OutputKeyTemplateTests {
    @Test(arguments: [
        ("{key}", "uploads/2024/a.b.jpg"),
        ("{dir}", "uploads/2024/"),
        ("{name}", "a.b.jpg"),
        ("{stem}", "a.b"),
        ("{ext}", ".jpg"),
        // The SPEC's outputs.
        ("resized/480/{key}", "resized/480/uploads/2024/a.b.jpg"),
        ("resized/1000/{stem}.webp", "resized/1000/a.b.webp"),
        ("meta/{key}.json", "meta/uploads/2024/a.b.jpg.json"),
        ("{dir}thumbs/{stem}-small{ext}", "uploads/2024/thumbs/a.b-small.jpg"),
    ])
    func expandsTheSpecExample(template: String, expected: String) {
        #expect(OutputKeyTemplate(template).expand(key: "uploads/2024/a.b.jpg") == expected)
    }

    @Test(arguments: [
        // key, dir, name, stem, ext
        ("a.jpg", "", "a.jpg", "a", ".jpg"),
        ("docs/README", "docs/", "README", "README", ""),
        // A leading dot starts a hidden name, not an extension.
        ("config/.env", "config/", ".env", ".env", ""),
        ("..hidden.tar", "", "..hidden.tar", "..hidden", ".tar"),
        (".config.yml", "", ".config.yml", ".config", ".yml"),
        ("a/b.c/d", "a/b.c/", "d", "d", ""),
        ("trailing.", "", "trailing.", "trailing", "."),
        ("folder/", "folder/", "", "", ""),
        ("photos/été 2024/é.JPG", "photos/été 2024/", "é.JPG", "é", ".JPG"),
    ])
    func splitsKeysIntoTheirParts(key: String, dir: String, name: String, stem: String, ext: String) {
        let template = OutputKeyTemplate("{dir}|{name}|{stem}|{ext}")
        #expect(template.expand(key: key) == "\(dir)|\(name)|\(stem)|\(ext)")
        #expect(OutputKeyTemplate("{dir}{name}").expand(key: key) == key)
        #expect(OutputKeyTemplate("{dir}{stem}{ext}").expand(key: key) == key)
    }

    @Test func unknownVariablesAndLoneBracesAreText() {
        #expect(OutputKeyTemplate("out/{size}/{key").expand(key: "a.jpg") == "out/{size}/{key")
        #expect(OutputKeyTemplate("{{key}}").expand(key: "a.jpg") == "{a.jpg}")
    }

    @Test func recognizesTheKeysItCouldProduce() {
        let resized = OutputKeyTemplate("resized/480/{key}")
        #expect(resized.couldProduce("resized/480/uploads/a.jpg"))
        #expect(!resized.couldProduce("resized/480/"))
        #expect(!resized.couldProduce("uploads/a.jpg"))

        let webp = OutputKeyTemplate("resized/1000/{stem}.webp")
        #expect(webp.couldProduce("resized/1000/a.b.webp"))
        #expect(!webp.couldProduce("resized/1000/sub/a.webp"))
        #expect(!webp.couldProduce("resized/1000/a.jpg"))

        let beside = OutputKeyTemplate("{dir}thumbs/{stem}-small{ext}")
        #expect(beside.couldProduce("uploads/2024/thumbs/a.b-small.jpg"))
        #expect(beside.couldProduce("thumbs/a-small"))
        #expect(!beside.couldProduce("uploads/2024/a.b.jpg"))
        #expect(!beside.couldProduce("uploads/thumbs/a-small.tar/x"))

        let json = OutputKeyTemplate("{key}.json")
        #expect(json.couldProduce("uploads/a.jpg.json"))
        #expect(!json.couldProduce(".json"))
        #expect(!json.couldProduce("uploads/a.jpg"))
    }

    @Test func everyExpansionIsAKeyTheTemplateCouldProduce() {
        let templates = [
            "resized/480/{key}", "resized/1000/{stem}.webp", "meta/{key}.json", "{dir}thumbs/{stem}-small{ext}",
            "{dir}{stem}.thumb{ext}", "x/{name}/{dir}y",
        ]
        let keys = ["a.jpg", "uploads/2024/a.b.jpg", "config/.env", "README", "a/b/c.d.e", "trailing.", "é/ü.png"]
        for template in templates.map(OutputKeyTemplate.init) {
            for key in keys {
                #expect(template.couldProduce(template.expand(key: key)), "\(template) \(key)")
            }
        }
    }

    @Test func identityTemplatesAreRecognized() {
        #expect(OutputKeyTemplate("{key}").isIdentity)
        #expect(OutputKeyTemplate("{dir}{name}").isIdentity)
        #expect(OutputKeyTemplate("{dir}{stem}{ext}").isIdentity)
        #expect(!OutputKeyTemplate("{dir}{stem}.webp").isIdentity)
        #expect(!OutputKeyTemplate("out/{key}").isIdentity)
    }
}
