/// One operation of a run of image steps, applied to the decoded pixels in pipeline order.
enum ImageOperation: Sendable, Equatable {
    case resize(Resize)
    /// A region, clamped to the image; a region wholly outside it is refused.
    case crop(PixelRect)
    /// Clockwise, a multiple of 90°.
    case rotate(degrees: Int)
    case grayscale
    case blur(sigma: Double)
    case sharpen(sigma: Double)
}
