import NIOCore
import RefractCore

/// A stand-in for a built-in transform (SPEC §2): the real step's name and parameters, its bytes passed through.
///
/// It reports what it ran with in headers, so tests can see each step's parameters and which step's headers won.
struct StandInTransform: Transform {
    let descriptor: TransformDescriptor
    /// The output content type; nil keeps the input's.
    let outputContentType: (@Sendable (TransformContext) -> String)?

    init(_ descriptor: TransformDescriptor, outputContentType: (@Sendable (TransformContext) -> String)? = nil) {
        self.descriptor = descriptor
        self.outputContentType = outputContentType
    }

    func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let parameters = context.parameters.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return TransformOutput(
            body: input.body,
            contentType: outputContentType?(context) ?? input.contentType,
            contentLength: input.contentLength,
            headers: [
                "x-last-step": descriptor.name,
                "x-\(descriptor.name)-parameters": parameters.joined(separator: ","),
            ]
        )
    }
}

extension StandInTransform {
    static let imageTypes = ["image/*"]

    static let resize = StandInTransform(
        TransformDescriptor(
            name: "resize",
            version: "1",
            summary: "Resizes an image.",
            parameters: [
                TransformParameter(name: "w", kind: .integer(1...8192), summary: "Width in pixels."),
                TransformParameter(name: "h", kind: .integer(1...8192), summary: "Height in pixels."),
                TransformParameter(
                    name: "fit",
                    kind: .choice(["inside", "cover", "fill", "contain"]),
                    defaultValue: .string("inside"),
                    summary: "How the image fits the box."
                ),
                TransformParameter(
                    name: "gravity",
                    kind: .choice([
                        "center", "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
                    ]),
                    defaultValue: .string("center"),
                    summary: "What cover keeps."
                ),
                TransformParameter(
                    name: "upscale",
                    kind: .boolean,
                    defaultValue: .boolean(false),
                    summary: "Whether to enlarge."
                ),
                TransformParameter(name: "bg", kind: .string, summary: "Background colour, hex."),
            ],
            accepts: imageTypes
        )
    )

    static let crop = StandInTransform(
        TransformDescriptor(
            name: "crop",
            version: "1",
            summary: "Cuts a rectangle out of an image.",
            parameters: [
                TransformParameter(name: "x", kind: .integer(0...65535), defaultValue: .integer(0), summary: "Left."),
                TransformParameter(name: "y", kind: .integer(0...65535), defaultValue: .integer(0), summary: "Top."),
                TransformParameter(name: "w", kind: .integer(1...8192), summary: "Width."),
                TransformParameter(name: "h", kind: .integer(1...8192), summary: "Height."),
            ],
            accepts: imageTypes
        )
    )

    static let rotate = StandInTransform(
        TransformDescriptor(
            name: "rotate",
            version: "1",
            summary: "Rotates an image clockwise.",
            parameters: [
                TransformParameter(name: "deg", kind: .choice(["90", "180", "270"]), summary: "Degrees.")
            ],
            primaryParameter: "deg",
            accepts: imageTypes
        )
    )

    static let grayscale = StandInTransform(
        TransformDescriptor(name: "grayscale", version: "1", summary: "Removes colour.", accepts: imageTypes)
    )

    static let blur = StandInTransform(
        TransformDescriptor(
            name: "blur",
            version: "2",
            summary: "Gaussian blur.",
            parameters: [
                TransformParameter(
                    name: "sigma",
                    kind: .number(0.3...1000),
                    defaultValue: .number(1.5),
                    summary: "Standard deviation."
                )
            ],
            accepts: imageTypes
        )
    )

    static let format = StandInTransform(
        TransformDescriptor(
            name: "format",
            version: "1",
            summary: "Re-encodes an image.",
            parameters: [
                TransformParameter(
                    name: "type",
                    kind: .choice(["jpeg", "png", "webp", "gif", "auto"]),
                    summary: "The output format."
                )
            ],
            primaryParameter: "type",
            accepts: imageTypes
        ),
        outputContentType: { context in
            switch context.parameters.string("type") {
            case "auto": context.requestHeaders["accept"]?.contains("image/webp") == true ? "image/webp" : "image/jpeg"
            case let type?: "image/\(type)"
            case nil: context.source.contentType
            }
        }
    )

    static let quality = StandInTransform(
        TransformDescriptor(
            name: "quality",
            version: "1",
            summary: "Sets the encoder quality.",
            parameters: [
                TransformParameter(name: "q", kind: .integer(1...100), defaultValue: .integer(82), summary: "Quality.")
            ],
            primaryParameter: "q",
            accepts: imageTypes
        )
    )

    static let exif = StandInTransform(
        TransformDescriptor(
            name: "exif",
            version: "1",
            summary: "Reads an image's metadata as JSON.",
            parameters: [
                TransformParameter(name: "gps", kind: .boolean, defaultValue: .boolean(true), summary: "Include GPS.")
            ],
            accepts: ["image/jpeg", "image/png", "image/webp", "image/tiff"]
        ),
        outputContentType: { _ in "application/json" }
    )

    static let translate = StandInTransform(
        TransformDescriptor(
            name: "translate",
            version: "1",
            summary: "Translates text.",
            parameters: [
                TransformParameter(name: "to", kind: .string, summary: "Target language."),
                TransformParameter(name: "from", kind: .string, defaultValue: .string("auto"), summary: "Source."),
            ],
            primaryParameter: "to",
            accepts: ["text/plain", "text/markdown", "text/html"]
        )
    )

    /// Every stand-in above.
    static let all: [any Transform] = [resize, crop, rotate, grayscale, blur, format, quality, exif, translate]
}
