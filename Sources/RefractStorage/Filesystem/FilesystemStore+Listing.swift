import RefractCore

extension FilesystemStore {
    /// The most keys and common prefixes in one page, as in S3: a larger `maxKeys` is cut to it.
    static let maxKeysPerPage = 1000

    /// One page of ListObjectsV2, walked in the bucket's folder (see `ListingWalk`); `maxKeys` 0 gives an empty,
    /// complete page, as S3 does.
    public func list(bucket: String, query: ListQuery) async throws -> ListPage {
        try await translatingErrors("list", bucket: bucket) {
            try await blocking {
                let bucketFolder = try resolveBucketFolder(bucket)
                let limit = min(max(query.maxKeys, 0), Self.maxKeysPerPage)
                var walk = ListingWalk(bucketFolder: bucketFolder, query: query, limit: limit)
                try walk.run()
                var objects: [ObjectInfo] = []
                var commonPrefixes: [String] = []
                for item in walk.items {
                    switch item {
                    case .object(let key, let fileName, let status):
                        objects.append(try objectInfo(bucket: bucket, key: key, fileName: fileName, status: status))
                    case .commonPrefix(let commonPrefix):
                        commonPrefixes.append(commonPrefix)
                    }
                }
                return ListPage(
                    objects: objects,
                    commonPrefixes: commonPrefixes,
                    isTruncated: walk.isTruncated,
                    nextStartAfter: walk.isTruncated ? walk.items.last?.key : nil
                )
            }
        }
    }
}
