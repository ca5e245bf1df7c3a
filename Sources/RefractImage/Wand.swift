import CMagickWand

/// A MagickWand: an image list and its settings, destroyed with this object.
///
/// Not thread-safe, like the C object: a wand lives on the worker thread that made it.
final class Wand {
    let pointer: OpaquePointer

    init() {
        pointer = NewMagickWand()
    }

    /// Takes ownership of a wand an ImageMagick call returned (`MagickCoalesceImages`).
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        DestroyMagickWand(pointer)
    }

    /// Throws the wand's exception when `status` says the call failed.
    func check(_ status: MagickBooleanType, _ operation: String) throws(MagickFailure) {
        guard status == MagickFalse else { return }
        throw exception ?? MagickFailure(severity: CoderError, reason: "\(operation) failed")
    }

    /// The exception the last failing call left on the wand, if any.
    var exception: MagickFailure? {
        var severity = UndefinedException
        guard let description = MagickGetException(pointer, &severity) else { return nil }
        defer { MagickRelinquishMemory(description) }
        guard severity != UndefinedException else { return nil }
        return MagickFailure(severity: severity, reason: String(cString: description))
    }

    /// The most severe exception the coder recorded on the images themselves while reading them.
    ///
    /// ImageMagick 6 keeps a decoder's warnings (a truncated JPEG's "Premature end of JPEG file") on the image, not
    /// on the wand: a read with warnings succeeds and only this tells.
    var imageException: MagickFailure? {
        guard let image = GetImageFromMagickWand(pointer), let info = AcquireExceptionInfo() else { return nil }
        defer { DestroyExceptionInfo(info) }
        GetImageException(image, info)
        guard info.pointee.severity != UndefinedException else { return nil }
        let reason = info.pointee.reason.map { String(cString: $0) } ?? "unknown"
        return MagickFailure(severity: info.pointee.severity, reason: reason)
    }

    var imageCount: Int { MagickGetNumberImages(pointer) }
    var width: Int { MagickGetImageWidth(pointer) }
    var height: Int { MagickGetImageHeight(pointer) }

    /// Makes each image of the list current in turn and runs `body` on it.
    func forEachImage(_ body: () throws -> Void) rethrows {
        for index in 0..<imageCount {
            MagickSetIteratorIndex(pointer, index)
            try body()
        }
    }
}
