import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RefractCore

/// LibreTranslate: `POST /translate` with the texts as the `q` array, `GET /languages`; the key travels in the body
/// as `api_key`; errors are `{"error": "..."}`.
struct LibreTranslateProvider: TranslationProvider {
    let baseURL: String
    let apiKey: String?

    var name: String { "libretranslate" }

    func envelope(for request: TranslationRequest) -> RequestEnvelope {
        var suffix = "],\"source\":\((request.source ?? "auto").jsonQuoted),\"target\":\(request.target.jsonQuoted)"
        suffix += ",\"format\":\(request.format == .html ? "\"html\"" : "\"text\"")"
        if let apiKey { suffix += ",\"api_key\":\(apiKey.jsonQuoted)" }
        return RequestEnvelope(prefix: "{\"q\":[", suffix: suffix + "}")
    }

    func translateRequest(body: ByteBuffer) -> HTTPClientRequest {
        .service(.POST, url: baseURL + "/translate", body: body)
    }

    func translations(in body: ByteBuffer) throws -> [String] {
        struct Answer: Decodable {
            let translatedText: [String]
        }
        return try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView)).translatedText
    }

    func errorMessage(in body: ByteBuffer) -> String? {
        struct Failure: Decodable {
            let error: String
        }
        return try? JSONDecoder().decode(Failure.self, from: Data(body.readableBytesView)).error
    }

    func languagesRequest(_ list: LanguageList) -> HTTPClientRequest {
        .service(.GET, url: baseURL + "/languages")
    }

    /// Every language is a source; the targets are the languages and every target any of them lists.
    func languageCodes(in body: ByteBuffer, list: LanguageList) throws -> [String] {
        struct Language: Decodable {
            let code: String
            let targets: [String]?
        }
        let languages = try JSONDecoder().decode([Language].self, from: Data(body.readableBytesView))
        let codes = languages.map(\.code)
        return list == .sources ? codes : codes + languages.flatMap { $0.targets ?? [] }
    }
}
