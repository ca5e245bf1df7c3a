import CMagickWand
import Logging
import NIOCore
import RefractCore

/// One run of image steps on one source: sniff, measure, decode, operate, encode. Blocking; runs on the engine's
/// worker threads, never on an event loop or the cooperative pool.
struct ImageJob: Sendable {
    let source: ByteBuffer
    let recipe: ImageRecipe
    let limits: ImageLimits
    let deadline: ContinuousClock.Instant
    let logger: Logger

    /// The encoded result.
    struct Result: Sendable {
        let bytes: ByteBuffer
        let format: ImageFormat
    }

    func run() throws(RefractError) -> Result {
        do {
            return try source.withUnsafeReadableBytes { bytes in try run(bytes) }
        } catch let error as RefractError {
            throw error
        } catch let failure as MagickFailure {
            throw failure.isResourceExhaustion
                ? .slowDown("The image engine is out of memory and disk budget; try again.")
                : .internalError("The image could not be processed: \(failure.reason).")
        } catch {
            throw .internalError()
        }
    }

    private func run(_ bytes: UnsafeRawBufferPointer) throws -> Result {
        let library = MagickLibrary.shared
        guard let format = ImageFormat.sniff(bytes), library.formats.contains(format.coder) else {
            throw RefractError.unprocessableSource(
                "The source is not an image this gateway decodes (JPEG, PNG, WebP, GIF, TIFF"
                    + (library.formats.contains("AVIF") ? ", AVIF, HEIC)." : ").")
            )
        }
        if let header = ImageHeader(bytes, format: format) {
            try checkSize(width: header.width, height: header.height, maximumSide: library.maximumSide)
        }
        let probe = try ping(bytes, format: format)
        try checkSize(width: probe.width, height: probe.height, maximumSide: .max)
        try checkSize(width: probe.canvasWidth, height: probe.canvasHeight, maximumSide: .max)

        let isAnimated = format.isAnimatable && probe.frameCount > 1
        let outputFormat = recipe.outputFormat(sourceFormat: format, isAnimated: isAnimated)
        let keepsFrames =
            isAnimated && outputFormat.isAnimatable && probe.frameCount <= limits.maxFrames
            && probe.animationPixels <= limits.maxSourcePixels

        let decodeHint = jpegDecodeHint(format: format, probe: probe)
        let cacheBytes = pixelCacheBytes(probe: probe, allFrames: keepsFrames, decodeHint: decodeHint)
        guard cacheBytes <= library.pixelCacheBudget else {
            let mebibytes = { (bytes: Int) in "\(bytes >> 20) MiB" }
            throw RefractError.sourceTooLarge(
                "Decoding the source takes \(mebibytes(cacheBytes)) of pixel memory; images get at most "
                    + "\(mebibytes(library.pixelCacheBudget)) (the memory and disk limits of the image engine)."
            )
        }
        var wand = try read(
            bytes,
            format: format,
            allFrames: keepsFrames,
            decodeHint: decodeHint,
            cacheBytes: cacheBytes
        )
        // Frames of an animation may cover only part of its canvas and build on the previous ones: coalescing
        // makes each a whole picture (the first frame alone too).
        if format.isAnimatable, let coalesced = MagickCoalesceImages(wand.pointer) {
            wand = Wand(taking: coalesced)
        }
        try wand.forEachImage { () throws in
            try checkDeadline()
            try wand.check(MagickAutoOrientImage(wand.pointer), "auto-orient")
            // Crop offsets count from the virtual canvas, which a mirroring orientation moves: reset it.
            MagickSetImagePage(wand.pointer, 0, 0, 0, 0)
            for (index, operation) in recipe.operations.enumerated() {
                try checkDeadline()
                if index == 0, let decodeHint, case .resize(let resize) = operation {
                    let plan = decodeHint.plan.adapted(
                        sourceWidth: decodeHint.orientedWidth,
                        sourceHeight: decodeHint.orientedHeight,
                        decodedWidth: wand.width,
                        decodedHeight: wand.height
                    )
                    try apply(plan, background: resize.background, to: wand)
                } else {
                    try apply(operation, to: wand)
                }
            }
            try prepareForEncoding(wand, as: outputFormat)
        }
        try checkDeadline()
        return try encode(wand, as: outputFormat)
    }

    // MARK: Measuring

    /// What a ping learns without decoding pixels.
    private struct Probe {
        let width: Int
        let height: Int
        let frameCount: Int
        /// The animation's canvas, which coalesced frames all fill.
        let canvasWidth: Int
        let canvasHeight: Int
        /// What decoding and coalescing every frame holds: each frame, and a canvas for each.
        let animationPixels: Int
        let orientation: OrientationType
    }

    private func checkSize(width: Int, height: Int, maximumSide: Int) throws(RefractError) {
        let pixels = width.multipliedReportingOverflow(by: height)
        guard !pixels.overflow, pixels.partialValue <= limits.maxSourcePixels else {
            throw .sourceTooLarge(
                "The source is \(width)×\(height) pixels; at most \(limits.maxSourcePixels) pixels are transformed."
            )
        }
        guard width <= maximumSide, height <= maximumSide else {
            throw .sourceTooLarge("The source is \(width)×\(height); the image library takes \(maximumSide) at most.")
        }
    }

    /// The pixel cache the decode fills: 8 bytes a pixel (16-bit RGBA), for every frame read. A JPEG decoded with
    /// the size hint comes out under twice the hint each way (libjpeg's scales are eighths).
    private func pixelCacheBytes(probe: Probe, allFrames: Bool, decodeHint: DecodeHint?) -> Int {
        let fullPixels = probe.width * probe.height
        let pixels =
            if let decodeHint {
                min(fullPixels, 4 * decodeHint.decodeWidth * decodeHint.decodeHeight)
            } else if allFrames {
                probe.animationPixels
            } else {
                max(fullPixels, probe.canvasWidth * probe.canvasHeight)
            }
        return pixels.multipliedReportingOverflow(by: 8).overflow ? .max : pixels * 8
    }

    private func ping(_ bytes: UnsafeRawBufferPointer, format: ImageFormat) throws -> Probe {
        let wand = Wand()
        try prepareRead(wand, format: format, allFrames: format.isAnimatable)
        guard MagickPingImageBlob(wand.pointer, bytes.baseAddress, bytes.count) == MagickTrue, wand.imageCount > 0
        else {
            throw undecodable(wand.exception)
        }
        var canvasWidth = 0
        var canvasHeight = 0
        var x = 0
        var y = 0
        var animationPixels = 0
        wand.forEachImage {
            MagickGetImagePage(wand.pointer, &canvasWidth, &canvasHeight, &x, &y)
            let frame = wand.width.multipliedReportingOverflow(by: wand.height)
            let canvas = canvasWidth.multipliedReportingOverflow(by: canvasHeight)
            let sum = animationPixels.addingReportingOverflow(frame.partialValue + canvas.partialValue)
            let overflows = frame.overflow || canvas.overflow || sum.overflow
            animationPixels = overflows ? .max : sum.partialValue
        }
        MagickSetIteratorIndex(wand.pointer, 0)
        MagickGetImagePage(wand.pointer, &canvasWidth, &canvasHeight, &x, &y)
        return Probe(
            width: wand.width,
            height: wand.height,
            frameCount: wand.imageCount,
            canvasWidth: canvasWidth,
            canvasHeight: canvasHeight,
            animationPixels: animationPixels,
            orientation: MagickGetImageOrientation(wand.pointer)
        )
    }

    // MARK: Decoding

    /// A JPEG decoded at a reduced size for the resize that comes first.
    private struct DecodeHint {
        /// The resize planned on the full, upright source size.
        let plan: ResizePlan
        let orientedWidth: Int
        let orientedHeight: Int
        /// The smallest decode the plan loses nothing from, in the file's own orientation.
        let decodeWidth: Int
        let decodeHeight: Int

        /// The `jpeg:size` option.
        var option: String { "\(decodeWidth)x\(decodeHeight)" }
    }

    /// libjpeg can decode at 1/8, 2/8 ... 8/8 of the full size, with a smaller inverse DCT and far fewer pixels to
    /// hand over; ImageMagick picks the smallest of these scales at or above `jpeg:size`.
    ///
    /// The hint is the resize's own target, not twice it. Measured (release build) on 4000×3000 4:2:0 JPEGs of
    /// 1.7–1.9 MB shrunk to 300 px: the target (a 1/8 decode, 500×375) took 24–32 ms end to end, twice the target
    /// (1/4, 1000×750) 39–49 ms, four times (3/8) 65–75 ms, all at the same PSNR against a full decode and Lanczos
    /// resize (35.7 dB: the loss is the DCT scaling itself, not the margin). What remains is libjpeg's entropy
    /// decoding, which no hint skips: a 6.3 MB 4:4:4 file takes 65 ms in libjpeg-turbo alone, 76 ms here.
    /// `MagickSetSize` does not reduce the decode at all.
    private func jpegDecodeHint(format: ImageFormat, probe: Probe) -> DecodeHint? {
        guard format == .jpeg, case .resize(let resize)? = recipe.operations.first else { return nil }
        // EXIF orientations 5 to 8 turn the picture a quarter: the file's width is its upright height.
        let isTransposed = probe.orientation.rawValue >= LeftTopOrientation.rawValue
        let orientedWidth = isTransposed ? probe.height : probe.width
        let orientedHeight = isTransposed ? probe.width : probe.height
        let plan = resize.plan(
            sourceWidth: orientedWidth,
            sourceHeight: orientedHeight,
            maxDimension: limits.maxDimension
        )
        guard let size = plan.decodeSize(sourceWidth: orientedWidth, sourceHeight: orientedHeight) else {
            return nil
        }
        return DecodeHint(
            plan: plan,
            orientedWidth: orientedWidth,
            orientedHeight: orientedHeight,
            decodeWidth: isTransposed ? size.height : size.width,
            decodeHeight: isTransposed ? size.width : size.height
        )
    }

    /// Pins the coder: with the format set, ImageMagick never guesses one from the bytes, so no other coder (MVG,
    /// MSL, SVG, PostScript, URL, TEXT, EPHEMERAL...) can be reached whatever the file holds. `[0]` reads the first
    /// frame or page only.
    private func prepareRead(_ wand: Wand, format: ImageFormat, allFrames: Bool) throws(MagickFailure) {
        try wand.check(MagickSetFormat(wand.pointer, format.coder), "set format")
        try wand.check(MagickSetFilename(wand.pointer, allFrames ? "source" : "source[0]"), "set filename")
    }

    private func read(
        _ bytes: UnsafeRawBufferPointer,
        format: ImageFormat,
        allFrames: Bool,
        decodeHint: DecodeHint?,
        cacheBytes: Int
    ) throws -> Wand {
        try checkDeadline()
        let wand = Wand()
        try prepareRead(wand, format: format, allFrames: allFrames)
        if let decodeHint {
            try wand.check(MagickSetOption(wand.pointer, "jpeg:size", decodeHint.option), "set jpeg:size")
        }
        guard MagickReadImageBlob(wand.pointer, bytes.baseAddress, bytes.count) == MagickTrue, wand.imageCount > 0
        else {
            // ImageMagick often fails without a word when the pixel cache does not fit: with the budget held by
            // other jobs, that is a busy engine, not a broken image.
            let failure = wand.exception
            if failure?.isResourceExhaustion ?? !MagickLibrary.shared.pixelCacheFits(cacheBytes) {
                throw RefractError.slowDown("The image engine is out of pixel memory; try again.")
            }
            throw undecodable(failure)
        }
        if let warning = wand.imageException {
            guard warning.isWarning, !warning.isTruncation else {
                throw undecodable(warning)
            }
            logger.debug("image decoded with a warning", metadata: ["warning": "\(warning.reason)"])
        }
        return wand
    }

    private func undecodable(_ failure: MagickFailure?) -> RefractError {
        .unprocessableSource(
            "The image could not be decoded" + (failure.map { ": \($0.reason)." } ?? ": it is corrupt or truncated.")
        )
    }

    private func checkDeadline() throws(RefractError) {
        guard ContinuousClock.now < deadline else { throw .transformTimeout() }
    }
}
