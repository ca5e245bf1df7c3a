import RefractCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One ListObjectsV2 page of a bucket's folder: a depth-first walk that meets keys in S3's order, the binary order
/// of their UTF-8 bytes, and stops one entry past the page to know whether it is truncated.
///
/// Sorting each folder by name is not enough: the keys in folder `a` all start with `a/`, so the folder sorts among
/// its siblings as `a/` would, after the file `a-b` ("-" < "/") although `a` < `a-b`. Subtrees that lie wholly
/// outside the prefix or before `startAfter` are not entered, and one that rolls up into a single common prefix is
/// only searched for its first object. The entries are the S3 ones: a common prefix counts toward the page, is
/// returned only when it sorts after `startAfter` (so that a page that ended on one resumes past all its keys), and
/// each object or common prefix comes once. Skipped: names that are not UTF-8, symbolic links that lead outside the
/// bucket or nowhere, folders already on the path (link loops), anything neither a file nor a folder, and the
/// bucket's staging folder.
struct ListingWalk {
    enum Item {
        case object(key: String, fileName: String, status: FileStatus)
        case commonPrefix(String)

        var key: String {
            switch self {
            case .object(let key, _, _): key
            case .commonPrefix(let prefix): prefix
            }
        }
    }

    private struct Entry {
        enum Kind {
            case file(path: String)
            case folder(path: String)
        }

        var name: String
        /// The name's bytes, with "/" after a folder's: what orders the entry's keys among its siblings'.
        var sortKey: [UInt8]
        var kind: Kind
    }

    /// A folder as the kernel knows it, to notice a symbolic link that leads back up the path being walked.
    private struct FolderIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    private static let slash = UInt8(ascii: "/")

    private let bucketFolder: String
    private let prefix: [UInt8]
    private let delimiter: [UInt8]?
    private let startAfter: [UInt8]?
    private let limit: Int
    private(set) var items: [Item] = []
    private(set) var isTruncated = false
    private var lastCommonPrefix: [UInt8]?

    /// - Parameters:
    ///   - bucketFolder: the real path of the bucket's folder.
    ///   - limit: the most entries in the page.
    init(bucketFolder: String, query: ListQuery, limit: Int) {
        self.bucketFolder = bucketFolder
        self.prefix = Array(query.prefix.utf8)
        self.delimiter = query.delimiter.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        self.startAfter = query.startAfter.map { Array($0.utf8) }
        self.limit = limit
    }

    /// Walks the bucket's folder until the page is full. Blocking.
    mutating func run() throws {
        guard limit > 0 else { return }
        // Every key under the prefix lies in the folder that the prefix's part up to its last "/" names.
        let startKey = prefix.lastIndex(of: Self.slash).map { Array(prefix[...$0]) } ?? []
        var folder = bucketFolder
        guard let bucketIdentity = try identity(of: folder) else { return }
        var ancestors = [bucketIdentity]
        for (index, segment) in startKey.split(separator: Self.slash, omittingEmptySubsequences: false)
            .dropLast().enumerated()
        {
            let name = String(decoding: segment, as: UTF8.self)
            guard !segment.isEmpty, name != ".", name != "..",
                index > 0 || !isReservedTopName(Array(segment)),
                case .folder(let path) = try classify(folder + "/" + name, kind: nil),
                let identity = try identity(of: path)
            else { return }
            folder = path
            ancestors.append(identity)
        }
        _ = try visit(folder, keyPrefix: startKey, ancestors: ancestors)
    }

    /// Walks a folder whose keys start with `keyPrefix`; true once the page is full.
    private mutating func visit(_ folder: String, keyPrefix: [UInt8], ancestors: [FolderIdentity]) throws -> Bool {
        for entry in try sortedEntries(of: folder, keyPrefix: keyPrefix) {
            let key = keyPrefix + entry.sortKey
            switch entry.kind {
            case .folder(let path):
                guard key.starts(with: prefix) || prefix.starts(with: key), !isBeforeStart(subtree: key),
                    let identity = try identity(of: path), !ancestors.contains(identity)
                else { continue }
                if let commonPrefix = rolledUpPrefix(of: key) {
                    guard isNew(commonPrefix),
                        try containsObject(path, keyPrefix: key, ancestors: ancestors + [identity])
                    else { continue }
                    if emit(.commonPrefix(String(decoding: commonPrefix, as: UTF8.self))) { return true }
                } else if try visit(path, keyPrefix: key, ancestors: ancestors + [identity]) {
                    return true
                }
            case .file(let path):
                guard key.starts(with: prefix), isAfterStart(key) else { continue }
                let commonPrefix = rolledUpPrefix(of: key)
                if let commonPrefix, !isNew(commonPrefix) { continue }
                guard let status = try FileSystemCalls.status(atPath: path, followingLinks: false),
                    status.kind == .regularFile
                else { continue }
                let item: Item =
                    if let commonPrefix {
                        .commonPrefix(String(decoding: commonPrefix, as: UTF8.self))
                    } else {
                        .object(key: String(decoding: key, as: UTF8.self), fileName: entry.name, status: status)
                    }
                if emit(item) { return true }
            }
        }
        return false
    }

    /// Whether a folder holds at least one object, at any depth.
    private func containsObject(_ folder: String, keyPrefix: [UInt8], ancestors: [FolderIdentity]) throws -> Bool {
        for entry in try sortedEntries(of: folder, keyPrefix: keyPrefix) {
            switch entry.kind {
            case .file(let path):
                if try FileSystemCalls.status(atPath: path, followingLinks: false)?.kind == .regularFile { return true }
            case .folder(let path):
                guard let identity = try identity(of: path), !ancestors.contains(identity) else { continue }
                let key = keyPrefix + entry.sortKey
                if try containsObject(path, keyPrefix: key, ancestors: ancestors + [identity]) { return true }
            }
        }
        return false
    }

    /// Adds an entry to the page; true when the page was already full, which makes it truncated.
    private mutating func emit(_ item: Item) -> Bool {
        guard items.count < limit else {
            isTruncated = true
            return true
        }
        items.append(item)
        if case .commonPrefix(let commonPrefix) = item { lastCommonPrefix = Array(commonPrefix.utf8) }
        return false
    }

    /// The common prefix a key (or every key of a folder, `key` ending in "/") rolls up into: the key up to the end
    /// of the first delimiter after the prefix; nil when there is no delimiter there.
    private func rolledUpPrefix(of key: [UInt8]) -> [UInt8]? {
        guard let delimiter, key.starts(with: prefix), key.count - prefix.count >= delimiter.count else { return nil }
        for start in prefix.count...(key.count - delimiter.count)
        where key[start..<(start + delimiter.count)].elementsEqual(delimiter) {
            return Array(key[..<(start + delimiter.count)])
        }
        return nil
    }

    private func isNew(_ commonPrefix: [UInt8]) -> Bool {
        commonPrefix != lastCommonPrefix && isAfterStart(commonPrefix)
    }

    private func isAfterStart(_ key: [UInt8]) -> Bool {
        guard let startAfter else { return true }
        return startAfter.lexicographicallyPrecedes(key)
    }

    /// Whether every key of the folder whose keys start with `folderKey` sorts before `startAfter`.
    private func isBeforeStart(subtree folderKey: [UInt8]) -> Bool {
        guard let startAfter else { return false }
        return folderKey.lexicographicallyPrecedes(startAfter) && !startAfter.starts(with: folderKey)
    }

    private func isReservedTopName(_ name: [UInt8]) -> Bool {
        name.elementsEqual(FilesystemStore.reservedFolderName.utf8)
    }

    /// The entries of a folder that can hold objects, in the order of their keys.
    private func sortedEntries(of folder: String, keyPrefix: [UInt8]) throws -> [Entry] {
        let listed: [FileSystemCalls.FolderEntry]
        do {
            listed = try FileSystemCalls.folderEntries(folder) ?? []
        } catch let error as FileSystemError where error.errorNumber == EACCES && !keyPrefix.isEmpty {
            // A subfolder the gateway may not read (a volume's lost+found) holds nothing it could serve.
            return []
        }
        var entries: [Entry] = []
        for listedEntry in listed {
            guard let name = listedEntry.validName, !(keyPrefix.isEmpty && isReservedTopName(listedEntry.nameBytes)),
                let kind = try classify(folder + "/" + name, kind: listedEntry.kind)
            else { continue }
            switch kind {
            case .file: entries.append(Entry(name: name, sortKey: listedEntry.nameBytes, kind: kind))
            case .folder: entries.append(Entry(name: name, sortKey: listedEntry.nameBytes + [Self.slash], kind: kind))
            }
        }
        entries.sort { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
        return entries
    }

    /// What an entry is to the listing: a file or a folder (a symbolic link counts as its target when that is
    /// inside the bucket), nil for anything else.
    private func classify(_ path: String, kind: FileStatus.Kind?) throws -> Entry.Kind? {
        switch try kind ?? FileSystemCalls.status(atPath: path, followingLinks: false)?.kind {
        case .regularFile:
            return .file(path: path)
        case .directory:
            return .folder(path: path)
        case .symbolicLink:
            guard let target = try FileSystemCalls.realPath(path), KeyLocation.isPath(target, inside: bucketFolder)
            else { return nil }
            switch try FileSystemCalls.status(atPath: target, followingLinks: false)?.kind {
            case .regularFile: return .file(path: target)
            case .directory: return .folder(path: target)
            case .symbolicLink, .other, nil: return nil
            }
        case .other, nil:
            return nil
        }
    }

    private func identity(of folder: String) throws -> FolderIdentity? {
        try FileSystemCalls.status(atPath: folder, followingLinks: true).map {
            FolderIdentity(device: $0.device, inode: $0.inode)
        }
    }
}
