import RefractCore

/// The signature a request carries, parsed from its `Authorization` header or its presigned query.
struct SigV4ReceivedAuthorization {
    let form: SigV4Identity.Form
    let accessKeyID: String
    let scope: SigV4Scope
    let amzDate: AmzDate
    let signedHeaders: [String]
    let signature: String
    let payloadHash: SigV4PayloadHash
    /// The payload hash as the client wrote it, which is what it signed.
    let payloadHashText: String

    static let credentialFormat = "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\""

    /// Parses `AKID/20130524/us-east-1/s3/aws4_request`.
    static func parseCredential(
        _ credential: String,
        malformed: (String) -> RefractError
    ) throws -> (
        accessKeyID: String, scope: SigV4Scope
    ) {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts.last == Substring(SigV4Scope.terminator) else {
            throw malformed("the Credential is mal-formed; expecting \(credentialFormat).")
        }
        let scopeParts = parts.suffix(4)
        let day = scopeParts[scopeParts.startIndex]
        let accessKeyID = parts.dropLast(4).joined(separator: "/")
        let region = scopeParts[scopeParts.startIndex + 1]
        let service = scopeParts[scopeParts.startIndex + 2]
        guard !accessKeyID.isEmpty, !region.isEmpty, !service.isEmpty, day.utf8.count == 8,
            day.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw malformed("the Credential is mal-formed; expecting \(credentialFormat).")
        }
        return (accessKeyID, SigV4Scope(day: String(day), region: String(region), service: String(service)))
    }

    /// Parses `host;range;x-amz-date`; names must be lower-case, as the client signed them.
    static func parseSignedHeaders(_ list: String, malformed: (String) -> RefractError) throws -> [String] {
        let names = list.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }) else {
            throw malformed("the SignedHeaders are mal-formed.")
        }
        return names
    }
}
