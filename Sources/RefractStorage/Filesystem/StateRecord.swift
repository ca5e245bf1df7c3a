import Foundation

/// A small JSON file of the store's own state: a metadata sidecar, an upload's record, a part's record.
protocol StateRecord: Codable {}

extension StateRecord {
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    /// The record in `bytes`, nil when they are not one.
    static func decoded(from bytes: [UInt8]) -> Self? {
        // A record cut short by a crash or edited by hand is treated as missing, as a stale one is.
        try? JSONDecoder().decode(Self.self, from: Data(bytes))
    }
}
