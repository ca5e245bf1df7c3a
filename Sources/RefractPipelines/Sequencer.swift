/// How the sequencers of two events of one key are compared.
///
/// S3 documents its `sequencer` as "a string representation of a hexadecimal value": only events of the same key
/// are comparable, the later one having the greater value, and the strings may differ in length. Two sequencers are
/// compared as numbers: both are upper-cased and left-padded with `0` to the same length, then compared as
/// strings. The gateway's own sequencers (``SequencerClock``) are hexadecimal too; they are not comparable with a
/// store's, so a bucket's events should come either through the gateway or from the store's notifications.
public enum Sequencer {
    /// Whether `sequencer` orders after `other`; equal sequencers are the same event.
    public static func isNewer(_ sequencer: String, than other: String) -> Bool {
        let (left, right) = padded(sequencer, other)
        return left > right
    }

    private static func padded(_ first: String, _ second: String) -> (String, String) {
        let left = first.uppercased()
        let right = second.uppercased()
        let width = max(left.count, right.count)
        return (
            String(repeating: "0", count: width - left.count) + left,
            String(repeating: "0", count: width - right.count) + right
        )
    }
}
