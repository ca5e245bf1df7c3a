internal import Crypto

extension Pipeline {
    /// The strong ETag of this pipeline's output for a source with `sourceETag`: `"rf-<32 hex digits>"`.
    ///
    /// A SHA-256 over the source ETag (as the store gives it), the canonical pipeline, each step's transform name
    /// and version, the access point's payload and the variants the request's headers chose (`format:auto`), so it
    /// is known from a HEAD of the source and changes with any of them. Each field is length-prefixed, so different
    /// fields never run together into the same bytes.
    public func etag(sourceETag: String, payload: String?, variants: [OutputVariant] = []) -> String {
        let fields =
            ["refract-etag-1", sourceETag, canonical, String(steps.count)]
            + steps.map { "\($0.name)@\($0.transform.descriptor.version)" }
            + [payload.map { "payload:" + $0 } ?? "no-payload"]
            + variants.map { "variant:\($0.requestHeader)=\($0.value)" }
        var bytes: [UInt8] = []
        for field in fields {
            bytes += "\(field.utf8.count):".utf8
            bytes += field.utf8
        }
        let hex = SHA256.hash(data: bytes).prefix(16).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        return "\"rf-\(hex.joined())\""
    }
}
