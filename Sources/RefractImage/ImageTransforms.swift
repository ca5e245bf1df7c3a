public import RefractCore

/// The image transforms, all fusible into one decode → operations → encode unit (family `image`), all accepting
/// `image/*` and running on one ``ImageEngine``.
///
/// How a unit treats its source:
/// - The format comes from the first bytes alone (JPEG, PNG, WebP, GIF, TIFF, and AVIF and HEIC when ImageMagick has
///   the coder), never from the name or the Content-Type; anything else is `UnprocessableSource`, and ImageMagick is
///   told the format, so no other coder ever sees the bytes.
/// - Its size is read from the header before any pixel is decoded: over `max_source_pixels`, or wider or taller than
///   ImageMagick's policy allows, is `SourceTooLarge`.
/// - A corrupt source is `UnprocessableSource`, and so is a truncated one even where the decoder would paint the
///   missing part grey (libjpeg's "Premature end of JPEG file" is only a warning); other decoder warnings, such as
///   stray bytes between JPEG segments that some cameras write, leave a whole picture and are accepted.
/// - It is turned upright from its EXIF Orientation before any operation, converted to 8-bit sRGB, and stripped of
///   metadata unless `resize:strip=false`.
/// - An animated GIF or WebP keeps every frame, each transformed alike, when it has at most `max_frames` frames
///   holding at most `max_source_pixels` together and the output format animates (GIF, WebP); otherwise the output
///   is its first frame.
/// - No output side exceeds `max_dimension`: a larger result is scaled down to fit.
public enum ImageTransforms {
    /// `resize`, `crop`, `rotate`, `grayscale`, `blur`, `sharpen`, `format` and `quality` on `engine`.
    public static func all(engine: ImageEngine) -> [any Transform] {
        [
            ResizeTransform(engine: engine),
            CropTransform(engine: engine),
            RotateTransform(engine: engine),
            GrayscaleTransform(engine: engine),
            BlurTransform(engine: engine),
            SharpenTransform(engine: engine),
            FormatTransform(engine: engine),
            QualityTransform(engine: engine),
        ]
    }
}
