/// What one image job may take (`transforms.image` in `refract.yml`).
///
/// The source limits are checked before decoding: bytes while the body is gathered, pixels from the header, so a
/// small file that declares a huge image is refused without its pixels ever being allocated. The memory, map and disk
/// budgets are ImageMagick's process-wide resource limits, shared by every job in flight. Decoded pixels take 8 bytes
/// each (16-bit RGBA); a job whose pixels do not fit in memory moves to a memory-mapped file or a file on disk, both
/// counted against `diskBytes`. A source whose pixels fit neither in `memoryBytes` nor in `diskBytes` is refused with
/// `SourceTooLarge` before decoding; one that does not fit beside the other jobs fails with `SlowDown`.
public struct ImageLimits: Sendable, Equatable {
    /// The largest source, in bytes (`max_source_bytes`); over it: `SourceTooLarge`.
    public var maxSourceBytes: Int
    /// The most pixels a source may declare, width × height (`max_source_pixels`); over it: `SourceTooLarge`.
    public var maxSourcePixels: Int
    /// The largest `w` and `h` a step may ask for and the longest side of any output (`max_dimension`): a larger
    /// result (a big source with no resize, a crop of one) is scaled down to fit, keeping its aspect ratio.
    public var maxDimension: Int
    /// The most frames of an animation (GIF, WebP) transformed; a longer animation, or one whose frames together
    /// hold more than `maxSourcePixels`, gives its first frame only.
    public var maxFrames: Int
    /// The pixel memory of all jobs together before pixels go to files.
    public var memoryBytes: Int
    /// The memory-mapped pixel files of all jobs together before pixels go to plain disk files.
    public var mapBytes: Int
    /// The pixel files of all jobs together, mapped or not; 0 keeps every image in `memoryBytes`.
    public var diskBytes: Int

    /// The defaults: SPEC §3's source limits, 256 frames, and the memory, map and disk budgets of Debian's
    /// ImageMagick `policy.xml` (256 MiB, 512 MiB, 1 GiB), which the library would not exceed anyway.
    public init(
        maxSourceBytes: Int = 50 * 1024 * 1024,
        maxSourcePixels: Int = 50_000_000,
        maxDimension: Int = 8192,
        maxFrames: Int = 256,
        memoryBytes: Int = 256 * 1024 * 1024,
        mapBytes: Int = 512 * 1024 * 1024,
        diskBytes: Int = 1024 * 1024 * 1024
    ) {
        self.maxSourceBytes = maxSourceBytes
        self.maxSourcePixels = maxSourcePixels
        self.maxDimension = maxDimension
        self.maxFrames = maxFrames
        self.memoryBytes = memoryBytes
        self.mapBytes = mapBytes
        self.diskBytes = diskBytes
    }
}
