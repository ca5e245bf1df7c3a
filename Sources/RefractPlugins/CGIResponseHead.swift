/// The header section of a plugin's CGI response (RFC 3875 §6), as the gateway answers with it.
struct CGIResponseHead: Sendable, Equatable {
    /// `Status:`, 200 when absent.
    var status: Int
    /// `Content-Type:`, which every response has.
    var contentType: String
    /// `Content-Length:`; when set, the body must be exactly that long.
    var contentLength: Int?
    /// The other headers passed on to the client, names lower-cased.
    var headers: [String: String]
}
