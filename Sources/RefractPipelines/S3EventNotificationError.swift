/// Why an S3 event notification body could not be read; `message` says what is wrong and where.
public struct S3EventNotificationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
