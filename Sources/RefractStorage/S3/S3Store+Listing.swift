import Foundation
import NIOHTTP1
import RefractCore

extension S3Store {
    /// ListObjectsV2 at the store, resumed with `start-after` from where the gateway's own continuation points.
    ///
    /// A page that ended on a common prefix resumes past every key that rolls up into it, as S3 does; stores that
    /// would list that prefix again have it removed here.
    public func list(bucket: String, query: ListQuery) async throws -> ListPage {
        var parameters = [("list-type", "2"), ("max-keys", String(query.maxKeys)), ("prefix", query.prefix)]
        if let delimiter = query.delimiter { parameters.append(("delimiter", delimiter)) }
        if let startAfter = query.startAfter {
            parameters.append(("start-after", Self.resumePoint(after: startAfter, query: query)))
        }
        let response = try await send(
            S3Request(method: .GET, bucket: bucket, query: parameters), missing: .noSuchBucket())
        let result = try await document(response)
        let objects = try result.children(named: "Contents").map { entry throws(RefractError) in
            guard let key = entry.childText("Key"), let size = entry.childText("Size").flatMap({ Int($0) }) else {
                throw RefractError.internalError("The object store \(name) listed an object without key or size.")
            }
            return ObjectInfo(
                key: key,
                size: size,
                etag: Self.quoted(entry.childText("ETag") ?? ""),
                lastModified: entry.childText("LastModified").flatMap(HTTPDate.parseISO8601) ?? Date(),
                contentType: "binary/octet-stream"
            )
        }
        let prefixes = result.children(named: "CommonPrefixes").compactMap { $0.childText("Prefix") }
        let isTruncated = result.childText("IsTruncated") == "true"
        let last = [objects.last?.key, prefixes.last].compactMap { $0 }.max {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        return ListPage(
            objects: objects,
            commonPrefixes: prefixes.filter { prefix in
                query.startAfter.map { $0.utf8.lexicographicallyPrecedes(prefix.utf8) } ?? true
            },
            isTruncated: isTruncated,
            nextStartAfter: isTruncated ? last : nil
        )
    }

    /// The `start-after` to send for `startAfter`: when it is a common prefix of this listing, past all its keys.
    static func resumePoint(after startAfter: String, query: ListQuery) -> String {
        guard let delimiter = query.delimiter, !delimiter.isEmpty, startAfter.hasPrefix(query.prefix) else {
            return startAfter
        }
        let rest = startAfter.dropFirst(query.prefix.count)
        guard rest.hasSuffix(delimiter), rest.dropLast(delimiter.count).range(of: delimiter) == nil else {
            return startAfter
        }
        // Every key that starts with the prefix rolls up into it; the highest scalar sorts after all of them that
        // anyone writes.
        return startAfter + "\u{10FFFF}"
    }
}
