import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import RefractCore

/// One translation service's wire protocol: the requests it takes and the answers it gives.
protocol TranslationProvider: Sendable {
    /// How log lines name the service: `libretranslate`, `deepl`.
    var name: String { get }
    /// The body of a translation request around its texts.
    func envelope(for request: TranslationRequest) -> RequestEnvelope
    /// The request that sends `body` (made by an envelope) for translation.
    func translateRequest(body: ByteBuffer) -> HTTPClientRequest
    /// The translations in a successful answer, in the order of the texts.
    func translations(in body: ByteBuffer) throws -> [String]
    /// The service's explanation in an error answer, when it gives one.
    func errorMessage(in body: ByteBuffer) -> String?
    /// The request for the codes of `list`.
    func languagesRequest(_ list: LanguageList) -> HTTPClientRequest
    /// The language codes in a successful answer to ``languagesRequest(_:)``, as the service writes them.
    func languageCodes(in body: ByteBuffer, list: LanguageList) throws -> [String]
}

/// What one object is translated from and into, in the service's own codes.
struct TranslationRequest: Sendable, Equatable {
    /// Nil lets the service detect the language.
    var source: String?
    var target: String
    var format: TextFormat
}

/// The languages a service translates from, or into.
enum LanguageList: String, Sendable, Hashable {
    case sources = "source"
    case targets = "target"
}

/// A request body with the place for its texts: `prefix`, the texts as JSON strings separated by commas, `suffix`.
struct RequestEnvelope: Sendable, Equatable {
    let prefix: String
    let suffix: String

    /// The bytes of the body besides its texts and their commas.
    var overhead: Int { prefix.utf8.count + suffix.utf8.count }

    func body(texts: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(prefix)
        for (index, text) in texts.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeString(text.jsonQuoted)
        }
        buffer.writeString(suffix)
        return buffer
    }
}

extension HTTPClientRequest {
    /// A request to a service, answered in JSON.
    static func service(_ method: HTTPMethod, url: String, body: ByteBuffer? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Refract")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        return request
    }
}
