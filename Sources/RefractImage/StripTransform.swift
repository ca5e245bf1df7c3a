public import RefractCore

/// `strip`: a JPEG or PNG without its metadata, streamed, its pixels untouched (see ``MetadataStripper``).
public struct StripTransform: Transform {
    public init() {}

    public var descriptor: TransformDescriptor {
        TransformDescriptor(
            name: "strip",
            version: "1",
            summary: "Removes EXIF, XMP, IPTC and text metadata without re-encoding; keeps the ICC profile unless told",
            parameters: [
                TransformParameter(
                    name: "keep",
                    kind: .choice(["icc", "none"]),
                    defaultValue: .string("icc"),
                    summary: "icc: keep the colour profile; none: remove it too"
                )
            ],
            primaryParameter: "keep",
            accepts: ["image/jpeg", "image/png"]
        )
    }

    public func apply(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        let stripper = MetadataStripper(keepsICCProfile: context.parameters.string("keep") != "none")
        return TransformOutput(body: stripper.strip(input.body), contentType: input.contentType)
    }
}
