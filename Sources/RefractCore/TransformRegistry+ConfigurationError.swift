extension TransformRegistry {
    /// Why a set of transforms and presets cannot make a registry; the server refuses to start with it.
    public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The configuration key at fault (`presets.thumb`), or nil when the transforms themselves are at fault.
        public var keyPath: String?
        public var message: String

        public init(keyPath: String?, message: String) {
            self.keyPath = keyPath
            self.message = message
        }

        public var description: String {
            guard let keyPath else { return message }
            return "\(keyPath): \(message)"
        }
    }
}
