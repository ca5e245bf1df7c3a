/// The languages the service translates from and into, fetched once and kept.
///
/// Requests arriving while the list is being fetched wait for that one fetch. A failed fetch is not kept: the next
/// request tries again.
actor LanguageCatalog {
    /// For each list, its codes by their lower-cased form.
    private var lists: [LanguageList: Task<[String: String], any Error>] = [:]

    /// The service's own spelling of `code` (`EN-US` for `en-us`) in `list`, nil when the list does not have it.
    func canonicalCode(
        _ code: String,
        in list: LanguageList,
        fetch: @escaping @Sendable () async throws -> [String]
    ) async throws -> String? {
        let task: Task<[String: String], any Error>
        if let fetching = lists[list] {
            task = fetching
        } else {
            task = Task {
                Dictionary(try await fetch().map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
            }
            lists[list] = task
        }
        do {
            return try await task.value[code.lowercased()]
        } catch {
            if lists[list] == task { lists[list] = nil }
            throw error
        }
    }
}
