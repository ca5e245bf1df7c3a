/// The Content-Type of a file the store did not write, from its extension.
package enum MediaType {
    static let fallback = "application/octet-stream"

    /// The media type for a file name, by its extension (case-insensitive); `application/octet-stream` when the
    /// extension is not in the table.
    package static func forFileName(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return fallback }
        let fileExtension = name[name.index(after: dot)...].lowercased()
        return byExtension[fileExtension] ?? fallback
    }

    private static let byExtension: [String: String] = [
        // Images
        "apng": "image/apng", "avif": "image/avif", "bmp": "image/bmp", "gif": "image/gif", "heic": "image/heic",
        "heif": "image/heif", "ico": "image/vnd.microsoft.icon", "jpe": "image/jpeg", "jpeg": "image/jpeg",
        "jpg": "image/jpeg", "jxl": "image/jxl", "png": "image/png", "svg": "image/svg+xml", "tif": "image/tiff",
        "tiff": "image/tiff", "webp": "image/webp",
        // Text
        "css": "text/css", "csv": "text/csv", "htm": "text/html", "html": "text/html", "ics": "text/calendar",
        "js": "text/javascript", "markdown": "text/markdown", "md": "text/markdown", "mjs": "text/javascript",
        "text": "text/plain", "tsv": "text/tab-separated-values", "txt": "text/plain", "vtt": "text/vtt",
        "xml": "application/xml", "yaml": "application/yaml", "yml": "application/yaml",
        // Data and documents
        "epub": "application/epub+zip", "geojson": "application/geo+json", "json": "application/json",
        "jsonld": "application/ld+json", "ndjson": "application/x-ndjson", "pdf": "application/pdf",
        "rtf": "application/rtf", "wasm": "application/wasm", "webmanifest": "application/manifest+json",
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
        // Archives
        "7z": "application/x-7z-compressed", "bz2": "application/x-bzip2", "gz": "application/gzip",
        "tar": "application/x-tar", "tgz": "application/gzip", "xz": "application/x-xz", "zip": "application/zip",
        "zst": "application/zstd",
        // Audio and video
        "aac": "audio/aac", "flac": "audio/flac", "m4a": "audio/mp4", "mid": "audio/midi", "midi": "audio/midi",
        "mp3": "audio/mpeg", "oga": "audio/ogg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav",
        "weba": "audio/webm", "avi": "video/x-msvideo", "m4v": "video/mp4", "mkv": "video/x-matroska",
        "mov": "video/quicktime", "mp4": "video/mp4", "mpeg": "video/mpeg", "mpg": "video/mpeg", "ogv": "video/ogg",
        "ts": "video/mp2t", "webm": "video/webm",
        // Fonts
        "eot": "application/vnd.ms-fontobject", "otf": "font/otf", "ttf": "font/ttf", "woff": "font/woff",
        "woff2": "font/woff2",
    ]
}
