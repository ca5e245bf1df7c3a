import CMagickWand

/// The process-wide state of ImageMagick: started once, never terminated, with its coders and version.
///
/// `MagickWandGenesis` must run once before any wand is made, and ImageMagick's resource limits are global, so this
/// is a singleton; `MagickWandTerminus` is never called, as another engine in the process may still use the library.
struct MagickLibrary: Sendable {
    static let shared = MagickLibrary()

    /// The names of the coders the library was built with (`JPEG`, `PNG`, `AVIF`, ...), upper-case.
    let formats: Set<String>
    /// The library's version and release (`6.9.11-60`), part of every image transform's version: a new library
    /// encodes other bytes.
    let version: String

    private init() {
        MagickWandGenesis()
        var count = 0
        var formats: Set<String> = []
        if let names = MagickQueryFormats("*", &count) {
            for index in 0..<count {
                if let name = names[index] {
                    formats.insert(String(cString: name).uppercased())
                    MagickRelinquishMemory(name)
                }
            }
            MagickRelinquishMemory(names)
        }
        self.formats = formats
        // "ImageMagick 6.9.11-60 Q16 x86_64 2021-01-25 https://imagemagick.org": the second word.
        var versionNumber = 0
        let versionText = MagickGetVersion(&versionNumber).map { String(cString: $0) } ?? ""
        let words = versionText.split(separator: " ")
        self.version = words.count > 1 ? String(words[1]) : String(versionNumber, radix: 16)
    }

    /// Sets the library's global resource limits.
    ///
    /// One thread per operation: the parallelism comes from concurrent requests on the engine's workers, and the
    /// OpenMP threads of one operation only compete with them (measured: see `ImageEngine`). ImageMagick only lowers
    /// a limit below its `policy.xml`, never raises one above it.
    func apply(_ limits: ImageLimits) {
        MagickSetResourceLimit(ThreadResource, 1)
        MagickSetResourceLimit(MemoryResource, MagickSizeType(limits.memoryBytes))
        MagickSetResourceLimit(MapResource, MagickSizeType(limits.mapBytes))
        MagickSetResourceLimit(DiskResource, MagickSizeType(limits.diskBytes))
    }

    /// The widest or tallest image the library takes (its `policy.xml` width and height limits).
    var maximumSide: Int {
        min(limit(of: WidthResource), limit(of: HeightResource))
    }

    /// The most pixel cache one image can have: in memory, or else on disk (a memory-mapped cache file is on disk
    /// too, so with no disk budget an image must fit in memory).
    var pixelCacheBudget: Int {
        max(limit(of: MemoryResource), limit(of: DiskResource))
    }

    /// Whether `bytes` of pixel cache fit, in memory or on disk, beside what the jobs in flight hold now.
    func pixelCacheFits(_ bytes: Int) -> Bool {
        [MemoryResource, DiskResource].contains { resource in
            bytes <= limit(of: resource) - Int(clamping: MagickGetResource(resource))
        }
    }

    private func limit(of resource: ResourceType) -> Int {
        Int(clamping: MagickGetResourceLimit(resource))
    }
}
