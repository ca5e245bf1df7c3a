import RefractCore

/// Where a key's file is inside its bucket's folder.
///
/// The key's folders are walked one at a time: a symbolic link is followed only when its real path stays inside the
/// bucket's folder, and a key that would lead outside is refused with `AccessDenied`, so that the store never
/// reads, writes or removes anything outside its buckets.
struct KeyLocation: Sendable {
    enum Entry: Sendable {
        /// Nothing is there, or a symbolic link that leads nowhere.
        case nothing
        /// A regular file at `realPath`: the path itself, or where its symbolic link leads.
        case file(realPath: String, status: FileStatus)
        case folder
        /// Something that is not an object: a socket, a pipe, a device.
        case other
        /// One of the key's folders is a file, so the key can be neither read nor stored.
        case blockedByFile(folderKey: String)
    }

    /// The path of the key's file: its folders resolved, its own name not, so a symbolic link there is the link.
    let path: String
    /// The folders to create, outermost first, before a file can be stored at `path`.
    let missingFolders: [String]
    let entry: Entry

    /// Finds `key` in the bucket whose folder's real path is `bucketFolder`. Blocking.
    static func resolve(_ key: ObjectKeyPath, inBucketFolder bucketFolder: String) throws -> KeyLocation {
        var folder = bucketFolder
        var missingFolders: [String] = []
        for (index, name) in key.folders.enumerated() {
            let path = folder + "/" + name
            if !missingFolders.isEmpty {
                missingFolders.append(path)
                folder = path
                continue
            }
            let blocked = Entry.blockedByFile(folderKey: key.folders[...index].joined(separator: "/"))
            switch try FileSystemCalls.status(atPath: path, followingLinks: false)?.kind {
            case nil:
                missingFolders.append(path)
                folder = path
            case .directory:
                folder = path
            case .symbolicLink:
                guard let target = try FileSystemCalls.realPath(path) else {
                    return KeyLocation(path: path, missingFolders: [], entry: blocked)
                }
                try requireInside(target, bucketFolder: bucketFolder)
                guard try FileSystemCalls.status(atPath: target, followingLinks: false)?.kind == .directory else {
                    return KeyLocation(path: path, missingFolders: [], entry: blocked)
                }
                folder = target
            case .regularFile, .other:
                return KeyLocation(path: path, missingFolders: [], entry: blocked)
            }
        }
        let path = folder + "/" + key.fileName
        let entry: Entry =
            if missingFolders.isEmpty {
                try entryAt(path, bucketFolder: bucketFolder)
            } else {
                .nothing
            }
        return KeyLocation(path: path, missingFolders: missingFolders, entry: entry)
    }

    /// Throws `InvalidArgument` when a file cannot be stored at the key: a folder is there, or one of its folders
    /// is a file. Filesystems cannot hold both `a` and `a/b`, which S3 can.
    func requireStorable(key: String) throws {
        switch entry {
        case .nothing, .file, .other:
            return
        case .folder:
            throw RefractError.invalidArgument(
                "The filesystem store cannot keep an object under this key: a folder of other objects has its name."
            )
        case .blockedByFile(let folderKey):
            throw RefractError.invalidArgument(
                "The filesystem store cannot keep an object under this key: the object "
                    + "\(folderKey.quotedForMessage()) would have to be a folder."
            )
        }
    }

    private static func entryAt(_ path: String, bucketFolder: String) throws -> Entry {
        guard let status = try FileSystemCalls.status(atPath: path, followingLinks: false) else { return .nothing }
        switch status.kind {
        case .regularFile:
            return .file(realPath: path, status: status)
        case .directory:
            return .folder
        case .other:
            return .other
        case .symbolicLink:
            guard let target = try FileSystemCalls.realPath(path) else { return .nothing }
            try requireInside(target, bucketFolder: bucketFolder)
            guard let targetStatus = try FileSystemCalls.status(atPath: target, followingLinks: false) else {
                return .nothing
            }
            switch targetStatus.kind {
            case .regularFile: return .file(realPath: target, status: targetStatus)
            case .directory: return .folder
            case .symbolicLink, .other: return .other
            }
        }
    }

    private static func requireInside(_ realPath: String, bucketFolder: String) throws {
        guard isPath(realPath, inside: bucketFolder) else {
            throw RefractError.accessDenied("The key leads outside its bucket through a symbolic link.")
        }
    }

    /// Whether the real path `path` is `folder` or inside it, comparing bytes (two spellings of the same text are
    /// different paths).
    static func isPath(_ path: String, inside folder: String) -> Bool {
        let folderBytes = folder.utf8.last == UInt8(ascii: "/") ? Array(folder.utf8) : Array(folder.utf8) + [0x2F]
        return path.utf8.elementsEqual(folder.utf8) || path.utf8.starts(with: folderBytes)
    }
}
