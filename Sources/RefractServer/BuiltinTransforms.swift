public import Logging
public import RefractCore
import RefractImage
import RefractTranslate

/// The transforms compiled into the gateway, registered by `refract serve` and listed by `refract transforms`.
///
/// Owns what they run on (the image workers, the translation service's connections); ``shutdown()`` stops them once
/// the gateway has stopped.
public struct BuiltinTransforms: Sendable {
    /// Every built-in transform, configured.
    public let transforms: [any Transform]
    private let imageEngine: ImageEngine
    private let translate: TranslateTransform

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
        let service = configuration.transforms.translate
        translate = TranslateTransform(
            settings: TranslationSettings(
                provider: service.provider == .deepl ? .deepL : .libreTranslate,
                url: service.url,
                apiKey: service.apiKey,
                maxRequestBytes: service.maxRequestBytes,
                concurrency: service.concurrency,
                timeout: service.timeout
            )
        )
        transforms =
            ImageTransforms.all(engine: imageEngine) + [
                ExifTransform(headBytes: configuration.transforms.exif.headBytes), StripTransform(), translate,
            ]
    }

    /// Stops the image workers, after the images in flight are done, and closes the translation connections.
    public func shutdown() async throws {
        try await imageEngine.shutdown()
        try await translate.shutdown()
    }
}
