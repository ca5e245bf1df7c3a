/// Where a `cover` crop keeps the image, or where a `contain` image sits on its padded canvas.
enum Gravity: String, Sendable, CaseIterable {
    case center
    case north
    case south
    case east
    case west
    case northeast
    case northwest
    case southeast
    case southwest

    /// The x of a span `length` wide placed in `space`: at the left edge, centred, or at the right edge.
    func horizontalOffset(of length: Int, in space: Int) -> Int {
        switch self {
        case .west, .northwest, .southwest: 0
        case .east, .northeast, .southeast: space - length
        case .center, .north, .south: (space - length) / 2
        }
    }

    /// The y of a span `length` high placed in `space`: at the top, centred, or at the bottom.
    func verticalOffset(of length: Int, in space: Int) -> Int {
        switch self {
        case .north, .northeast, .northwest: 0
        case .south, .southeast, .southwest: space - length
        case .center, .east, .west: (space - length) / 2
        }
    }
}
