import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RefractCore

/// DeepL API v2: `POST /v2/translate` with the texts as the `text` array, `GET /v2/languages?type=`; the key travels
/// in `Authorization: DeepL-Auth-Key`; errors are `{"message": "..."}`.
struct DeepLProvider: TranslationProvider {
    let baseURL: String
    let apiKey: String?

    var name: String { "deepl" }

    func envelope(for request: TranslationRequest) -> RequestEnvelope {
        var suffix = "],\"target_lang\":\(request.target.jsonQuoted)"
        if let source = request.source { suffix += ",\"source_lang\":\(source.jsonQuoted)" }
        if request.format == .html { suffix += ",\"tag_handling\":\"html\"" }
        return RequestEnvelope(prefix: "{\"text\":[", suffix: suffix + "}")
    }

    func translateRequest(body: ByteBuffer) -> HTTPClientRequest {
        authorized(.service(.POST, url: baseURL + "/v2/translate", body: body))
    }

    func translations(in body: ByteBuffer) throws -> [String] {
        struct Answer: Decodable {
            struct Translation: Decodable {
                let text: String
            }
            let translations: [Translation]
        }
        return try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView)).translations.map(\.text)
    }

    func errorMessage(in body: ByteBuffer) -> String? {
        struct Failure: Decodable {
            let message: String
            let detail: String?
        }
        guard let failure = try? JSONDecoder().decode(Failure.self, from: Data(body.readableBytesView)) else {
            return nil
        }
        return failure.detail.map { "\(failure.message): \($0)" } ?? failure.message
    }

    func languagesRequest(_ list: LanguageList) -> HTTPClientRequest {
        authorized(.service(.GET, url: baseURL + "/v2/languages?type=\(list.rawValue)"))
    }

    func languageCodes(in body: ByteBuffer, list: LanguageList) throws -> [String] {
        struct Language: Decodable {
            let language: String
        }
        return try JSONDecoder().decode([Language].self, from: Data(body.readableBytesView)).map(\.language)
    }

    private func authorized(_ request: HTTPClientRequest) -> HTTPClientRequest {
        var request = request
        if let apiKey { request.headers.add(name: "Authorization", value: "DeepL-Auth-Key \(apiKey)") }
        return request
    }
}
