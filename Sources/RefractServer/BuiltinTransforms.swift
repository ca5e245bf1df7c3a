public import Logging
public import RefractCore
import RefractImage

/// The transforms compiled into the gateway, registered by `refract serve` and listed by `refract transforms`.
///
/// Owns what they run on (the image workers); ``shutdown()`` stops it once the gateway has stopped.
public struct BuiltinTransforms: Sendable {
    /// Every built-in transform, configured.
    public let transforms: [any Transform]
    private let imageEngine: ImageEngine

    public init(configuration: RefractConfiguration, logger: Logger) {
        let image = configuration.transforms.image
        imageEngine = ImageEngine(
            limits: ImageLimits(
                maxSourceBytes: image.maxSourceBytes,
                maxSourcePixels: image.maxSourcePixels,
                maxDimension: image.maxDimension,
                maxFrames: image.maxFrames,
                memoryBytes: image.memoryLimit,
                mapBytes: image.mapLimit,
                diskBytes: image.diskLimit
            ),
            workers: image.workers,
            queueLimit: image.queueLimit,
            logger: logger
        )
        transforms =
            ImageTransforms.all(engine: imageEngine) + [
                ExifTransform(headBytes: configuration.transforms.exif.headBytes), StripTransform(),
            ]
    }

    /// Stops the image workers, after the images in flight are done.
    public func shutdown() async throws {
        try await imageEngine.shutdown()
    }
}
