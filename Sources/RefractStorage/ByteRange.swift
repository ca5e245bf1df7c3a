import Foundation

/// A single HTTP byte range as a client wrote it (`bytes=0-99`, `bytes=100-`, `bytes=-500`).
public enum ByteRange: Sendable, Equatable {
    case closed(Int, Int)
    case from(Int)
    case suffix(length: Int)

    /// Parses a `Range` header; nil when it is not a single well-formed byte range, which HTTP says to ignore.
    public init?(header: String) {
        guard header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        switch (Int(first), Int(last)) {
        case (let start?, let end?) where start >= 0 && end >= start: self = .closed(start, end)
        case (let start?, nil) where start >= 0 && last.isEmpty: self = .from(start)
        case (nil, let length?) where first.isEmpty && length >= 0: self = .suffix(length: length)
        default: return nil
        }
    }

    /// The range as a `Range` header writes it.
    public var headerValue: String {
        switch self {
        case .closed(let start, let end): "bytes=\(start)-\(end)"
        case .from(let start): "bytes=\(start)-"
        case .suffix(let length): "bytes=-\(length)"
        }
    }

    /// The bytes this range covers in an object of `size` bytes; nil when unsatisfiable (416).
    public func resolve(size: Int) -> ClosedRange<Int>? {
        switch self {
        case .closed(let start, let end):
            guard start < size else { return nil }
            return start...min(end, size - 1)
        case .from(let start):
            guard start < size else { return nil }
            return start...(size - 1)
        case .suffix(let length):
            guard length > 0, size > 0 else { return nil }
            return max(0, size - length)...(size - 1)
        }
    }
}
