/// A `resize` step: the box asked for and how the image fills it.
struct Resize: Sendable, Equatable {
    /// How the image meets a box given by both `w` and `h`.
    enum Fit: String, Sendable, CaseIterable {
        /// Scaled to fit inside the box, aspect ratio kept: one side may come out shorter.
        case inside
        /// Scaled to cover the box, aspect ratio kept, the overflow cropped at the gravity.
        case cover
        /// Stretched to the box.
        case fill
        /// Scaled to fit inside the box and padded to it with the background colour, placed at the gravity.
        case contain
    }

    var width: Int?
    var height: Int?
    var fit: Fit
    var gravity: Gravity
    var upscale: Bool
    var background: BackgroundColor

    /// How an image of `sourceWidth`×`sourceHeight` is cut, resampled and padded.
    ///
    /// Without `upscale`, no pixel is enlarged: `inside` and `contain` keep a smaller image at its size (`contain`
    /// still pads to the full box); for `cover` and `fill` a box larger than the image shrinks, keeping its aspect
    /// ratio, until it fits inside the image. An `inside` result never has a side over `maxDimension`.
    func plan(sourceWidth: Int, sourceHeight: Int, maxDimension: Int) -> ResizePlan {
        let sourceWidthValue = Double(sourceWidth)
        let sourceHeightValue = Double(sourceHeight)
        let widthScale = width.map { Double($0) / sourceWidthValue }
        let heightScale = height.map { Double($0) / sourceHeightValue }
        func scaled(_ length: Int, _ factor: Double) -> Int { max(1, Int((Double(length) * factor).rounded())) }

        switch (fit, width, height, widthScale, heightScale) {
        case (.cover, let width?, let height?, let widthScale?, let heightScale?):
            var scale = max(widthScale, heightScale)
            var box = (width: width, height: height)
            if scale > 1 && !upscale {
                box = (min(sourceWidth, scaled(width, 1 / scale)), min(sourceHeight, scaled(height, 1 / scale)))
                scale = 1
            }
            // Cut the part that scales to the box first, so that only kept pixels are resampled.
            let cropWidth = min(sourceWidth, scaled(box.width, 1 / scale))
            let cropHeight = min(sourceHeight, scaled(box.height, 1 / scale))
            let crop = PixelRect(
                x: gravity.horizontalOffset(of: cropWidth, in: sourceWidth),
                y: gravity.verticalOffset(of: cropHeight, in: sourceHeight),
                width: cropWidth,
                height: cropHeight
            )
            return ResizePlan(crop: crop, width: box.width, height: box.height, canvas: nil)
        case (.fill, let width?, let height?, let widthScale?, let heightScale?):
            let scale = max(widthScale, heightScale)
            guard scale > 1 && !upscale else {
                return ResizePlan(crop: nil, width: width, height: height, canvas: nil)
            }
            return ResizePlan(
                crop: nil,
                width: min(sourceWidth, scaled(width, 1 / scale)),
                height: min(sourceHeight, scaled(height, 1 / scale)),
                canvas: nil
            )
        case (.contain, let width?, let height?, let widthScale?, let heightScale?):
            let scale = upscale ? min(widthScale, heightScale) : min(widthScale, heightScale, 1)
            let imageWidth = min(width, scaled(sourceWidth, scale))
            let imageHeight = min(height, scaled(sourceHeight, scale))
            let canvas = PixelRect(
                x: gravity.horizontalOffset(of: imageWidth, in: width),
                y: gravity.verticalOffset(of: imageHeight, in: height),
                width: width,
                height: height
            )
            return ResizePlan(crop: nil, width: imageWidth, height: imageHeight, canvas: canvas)
        default:
            // `inside`, or a single side (`check` refuses the other fits without both).
            var scale = [widthScale, heightScale].compactMap { $0 }.min() ?? 1
            if !upscale { scale = min(scale, 1) }
            scale = min(scale, Double(maxDimension) / sourceWidthValue, Double(maxDimension) / sourceHeightValue)
            return ResizePlan(
                crop: nil,
                width: min(maxDimension, scaled(sourceWidth, scale)),
                height: min(maxDimension, scaled(sourceHeight, scale)),
                canvas: nil
            )
        }
    }
}

/// The work of one resize: an optional crop, a resample, an optional padding.
struct ResizePlan: Sendable, Equatable {
    /// The part of the image kept, in its own pixels; nil keeps it all.
    var crop: PixelRect?
    /// The size the kept part is resampled to.
    var width: Int
    var height: Int
    /// The canvas the resampled image is padded onto, and the image's place on it; nil pads nothing.
    var canvas: PixelRect?

    /// The smallest size a source `sourceWidth`×`sourceHeight` can be decoded at without losing detail this plan
    /// keeps; nil when the plan does not shrink it both ways.
    func decodeSize(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int)? {
        let horizontal = Double(width) / Double(crop?.width ?? sourceWidth)
        let vertical = Double(height) / Double(crop?.height ?? sourceHeight)
        guard horizontal < 1 && vertical < 1 else { return nil }
        return (
            Int((Double(sourceWidth) * horizontal).rounded(.up)),
            Int((Double(sourceHeight) * vertical).rounded(.up))
        )
    }

    /// The same plan for the image decoded at `decodedWidth`×`decodedHeight` instead of the
    /// `sourceWidth`×`sourceHeight` it was made for: the crop moves to the decoded pixels, the output is unchanged.
    func adapted(sourceWidth: Int, sourceHeight: Int, decodedWidth: Int, decodedHeight: Int) -> ResizePlan {
        guard let crop, decodedWidth != sourceWidth || decodedHeight != sourceHeight else { return self }
        let horizontal = Double(decodedWidth) / Double(sourceWidth)
        let vertical = Double(decodedHeight) / Double(sourceHeight)
        let x = min(decodedWidth - 1, Int((Double(crop.x) * horizontal).rounded()))
        let y = min(decodedHeight - 1, Int((Double(crop.y) * vertical).rounded()))
        var plan = self
        plan.crop = PixelRect(
            x: x,
            y: y,
            width: max(1, min(decodedWidth - x, Int((Double(crop.width) * horizontal).rounded()))),
            height: max(1, min(decodedHeight - y, Int((Double(crop.height) * vertical).rounded())))
        )
        return plan
    }
}
