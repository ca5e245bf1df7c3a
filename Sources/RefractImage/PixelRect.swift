/// A rectangle of pixels: a region of an image, or an image's place on a larger canvas.
struct PixelRect: Sendable, Equatable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int
}
