"""Test images made at test time (ImageMagick's /usr/bin/convert and identify, exiftool), hand-built image bytes
for the cases no tool makes on purpose (a huge header over a tiny body), the checks run on what the gateway sends
back (magic bytes, size, pixel colours, metadata), and a gateway started with image settings of a test's own."""

from __future__ import annotations

import json
import random
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from gateway_config import ADMIN, PUBLIC_BUCKET, write_gateway_config
from refract_process import RefractProcess, refract_binary
from s3_http import GatewayHTTP, object_path

# /usr/local/bin/convert is a stand-in that only turns PNGs into PPMs: always the real ImageMagick.
CONVERT = "/usr/bin/convert"
IDENTIFY = "/usr/bin/identify"
EXIFTOOL = "/usr/bin/exiftool"
TOOL_TIMEOUT = 120

RGB = tuple[int, int, int]
RED: RGB = (255, 0, 0)
LIME: RGB = (0, 255, 0)
BLUE: RGB = (0, 0, 255)
YELLOW: RGB = (255, 255, 0)
CORNER_COLOURS = {"top_left": RED, "top_right": LIME, "bottom_left": BLUE, "bottom_right": YELLOW}

CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}


# Making images


def magick(*args: str, stdin: bytes | None = None) -> bytes:
    """Runs `convert ARGS...` and returns its standard output (the image when the last argument is `FORMAT:-`)."""
    completed = subprocess.run([CONVERT, *args], input=stdin, capture_output=True, timeout=TOOL_TIMEOUT, check=False)
    assert completed.returncode == 0, f"convert {' '.join(args)} failed: {completed.stderr.decode(errors='replace')}"
    return completed.stdout


def solid(width: int, height: int, colour: str, fmt: str = "png") -> bytes:
    return magick("-size", f"{width}x{height}", f"xc:{colour}", f"{fmt}:-")


def gradient(width: int, height: int, fmt: str = "jpeg") -> bytes:
    return magick("-size", f"{width}x{height}", "gradient:red-blue", f"{fmt}:-")


def photo(width: int, height: int, seed: int = 7, fmt: str = "jpeg", quality: int = 92) -> bytes:
    """A busy, colourful picture (a plasma fractal): what lossy encoders find hard, so quality shows in the size."""
    return magick("-seed", str(seed), "-size", f"{width}x{height}", "plasma:", "-quality", str(quality), f"{fmt}:-")


def bands(width: int, height: int, colours: list[str], vertical: bool, fmt: str = "png") -> bytes:
    """Equal bands of `colours` side by side (`vertical`: each band a column, left to right) or stacked (top to
    bottom); `width` × `height` is the whole picture."""
    count = len(colours)
    size = f"{width // count}x{height}" if vertical else f"{width}x{height // count}"
    return magick(
        "-size", size, *(f"xc:{colour}" for colour in colours), "+append" if vertical else "-append", f"{fmt}:-"
    )


def quadrants(width: int, height: int, fmt: str = "png", extra: tuple[str, ...] = ()) -> bytes:
    """Four solid quadrants: red top left, lime top right, blue bottom left, yellow bottom right."""
    size = f"{width // 2}x{height // 2}"
    top = ["-size", size, "xc:#ff0000", "xc:#00ff00", "+append"]
    bottom = ["-size", size, "xc:#0000ff", "xc:#ffff00", "+append"]
    return magick("(", *top, ")", "(", *bottom, ")", "-append", *extra, "-quality", "95", f"{fmt}:-")


def animated_gif(width: int, height: int, colours: list[str]) -> bytes:
    return magick(
        "-delay", "10", "-size", f"{width}x{height}", *(f"xc:{colour}" for colour in colours), "-loop", "0", "gif:-"
    )


# The inverse of what each EXIF Orientation asks a viewer to do: stored pixels that show upright once oriented.
STORED_FOR_ORIENTATION = {
    1: (),
    2: ("-flop",),
    3: ("-rotate", "180"),
    4: ("-flip",),
    5: ("-transpose",),
    6: ("-rotate", "270"),
    7: ("-transverse",),
    8: ("-rotate", "90"),
}


def oriented_quadrants(width: int, height: int, orientation: int) -> bytes:
    """A JPEG that shows `quadrants(width, height)` upright when its EXIF Orientation (`orientation`) is applied."""
    stored = quadrants(width, height, "jpeg", STORED_FOR_ORIENTATION[orientation])
    return exiftool_write(stored, f"-Orientation={orientation}", "-n")


def exiftool_write(data: bytes, *assignments: str) -> bytes:
    """`data` with exiftool's tag assignments (`-Make=X`, `-Orientation=6 -n` ...) written into it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "image"
        path.write_bytes(data)
        completed = subprocess.run(
            [EXIFTOOL, "-overwrite_original", *assignments, str(path)],
            capture_output=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr.decode(errors="replace")
        return path.read_bytes()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_from_rows(width: int, height: int, rows: bytes) -> bytes:
    """An 8-bit RGB PNG whose IHDR says `width` × `height`, with `rows` (each a filter byte and its pixels; fewer
    rows than `height` make a truncated image) compressed as its only IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows, 6))
        + png_chunk(b"IEND", b"")
    )


def huge_header_png(width: int, height: int, rows_present: int = 8) -> bytes:
    """A PNG of a few KB that claims `width` × `height` pixels: a decompression bomb's header over a few rows."""
    rows = (b"\x00" + b"\xff" * (width * 3)) * rows_present
    return png_from_rows(width, height, rows)


def noise_png(width: int, height: int, seed: int) -> bytes:
    """An RGB PNG of random pixels: incompressible, so its size is about width × height × 3 bytes."""
    generator = random.Random(seed)
    rows = b"".join(b"\x00" + generator.randbytes(width * 3) for _ in range(height))
    return png_from_rows(width, height, rows)


def jpeg_with_dimensions(jpeg: bytes, width: int, height: int) -> bytes:
    """`jpeg` with its frame header (SOF0/SOF2) rewritten to claim `width` × `height`."""
    at = 2
    while at < len(jpeg):
        assert jpeg[at] == 0xFF, f"no JPEG marker at {at}"
        marker = jpeg[at + 1]
        length = struct.unpack(">H", jpeg[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            return jpeg[: at + 5] + struct.pack(">HH", height, width) + jpeg[at + 9 :]
        at += 2 + length
    raise AssertionError("no SOF marker in the JPEG")


# Reading what came back


def image_format(data: bytes) -> str | None:
    """The format named by the first bytes (magic numbers), never by a name or header."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


@dataclass(frozen=True)
class Frame:
    format: str
    width: int
    height: int


def identify(data: bytes) -> list[Frame]:
    """Every frame ImageMagick finds in `data`; fails when it cannot decode it."""
    completed = subprocess.run(
        [IDENTIFY, "-format", "%m %w %h\n", "-"], input=data, capture_output=True, timeout=TOOL_TIMEOUT, check=False
    )
    assert completed.returncode == 0, f"identify cannot read the image: {completed.stderr.decode(errors='replace')}"
    frames = []
    for line in completed.stdout.decode().splitlines():
        name, width, height = line.split()
        frames.append(Frame(name, int(width), int(height)))
    assert frames, "identify found no frame"
    return frames


def colorspace(data: bytes) -> str:
    """ImageMagick's name for the colour space of the first frame: sRGB, Gray, CMYK..."""
    completed = subprocess.run(
        [IDENTIFY, "-format", "%[colorspace]\n", "-"],
        input=data,
        capture_output=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return completed.stdout.decode().splitlines()[0]


def dimensions(data: bytes) -> tuple[int, int]:
    frame = identify(data)[0]
    return frame.width, frame.height


@dataclass(frozen=True)
class Raster:
    """Decoded 8-bit RGB pixels, exactly as stored: no auto-orientation, alpha laid over white."""

    width: int
    height: int
    pixels: bytes

    def pixel(self, x: int, y: int) -> RGB:
        assert 0 <= x < self.width and 0 <= y < self.height, f"({x}, {y}) is outside {self.width}x{self.height}"
        at = (y * self.width + x) * 3
        return self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]

    def at(self, fx: float, fy: float) -> RGB:
        """The pixel at a fraction of the width and height (0.5, 0.5: the centre)."""
        return self.pixel(min(int(fx * self.width), self.width - 1), min(int(fy * self.height), self.height - 1))

    def corners(self, inset: float = 0.1) -> dict[str, RGB]:
        return {
            "top_left": self.at(inset, inset),
            "top_right": self.at(1 - inset, inset),
            "bottom_left": self.at(inset, 1 - inset),
            "bottom_right": self.at(1 - inset, 1 - inset),
        }

    def samples(self, steps: int = 16) -> list[RGB]:
        return [self.at((i + 0.5) / steps, (j + 0.5) / steps) for i in range(steps) for j in range(steps)]


def raster(data: bytes, frame: int = 0) -> Raster:
    """The pixels of one frame of `data` (decoded by ImageMagick from its magic bytes)."""
    flatten = "+repage -background white -alpha remove -alpha off -colorspace sRGB -type TrueColor -depth 8".split()
    ppm = magick(f"-[{frame}]", *flatten, "ppm:-", stdin=data)
    fields = ppm.split(maxsplit=4)
    assert fields[0] == b"P6", f"not a binary PPM: {ppm[:20]!r}"
    width, height, maximum = int(fields[1]), int(fields[2]), int(fields[3])
    assert maximum == 255
    return Raster(width, height, fields[4][: width * height * 3])


def close_to(actual: RGB, expected: RGB, tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def is_grey(colour: RGB, tolerance: int = 3) -> bool:
    return max(colour) - min(colour) <= tolerance


def exif_tags(data: bytes) -> dict[str, object]:
    """Every tag exiftool finds, as `GROUP:Name` (`IFD0:Make`, `GPS:GPSLatitude`, `XMP-tiff:Make` ...)."""
    completed = subprocess.run(
        [EXIFTOOL, "-j", "-a", "-G1", "-n", "-"], input=data, capture_output=True, timeout=TOOL_TIMEOUT, check=False
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    (tags,) = json.loads(completed.stdout)
    return tags


def tag_values(tags: dict[str, object], name: str) -> list[object]:
    """The values of tag `name` in any group."""
    return [value for key, value in tags.items() if key.split(":")[-1] == name]


# The gateway


def server_transforms() -> str:
    """What `refract transforms` prints (every transform and its parameters)."""
    completed = subprocess.run(
        [str(refract_binary()), "transforms"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def avif_supported() -> bool:
    """Whether `refract transforms` lists avif among the types of `format` (only when its library has AVIF)."""
    listing = server_transforms()
    section = listing[listing.find("\nformat ") :]
    type_line = next((line for line in section.splitlines() if line.strip().startswith("type")), "")
    return "avif" in type_line.split()


def start_gateway(
    directory: Path,
    *,
    image: dict[str, object] | None = None,
    presets: dict[str, str] | None = None,
    signing: dict[str, object] | None = None,
    only_presets: bool = False,
) -> RefractProcess:
    """A gateway with the e2e configuration (gateway_config.py) plus `transforms.image`, `presets`,
    `security.signing` and `security.only_presets` as given."""
    directory.mkdir(parents=True, exist_ok=True)
    config = write_gateway_config(directory)
    text = config.read_text()
    security = ""
    if signing is not None:
        security += f"  signing: {json.dumps(signing)}\n"
    if only_presets:
        security += "  only_presets: true\n"
    assert text.count("\nsecurity:\n") == 1
    text = text.replace("\nsecurity:\n", "\nsecurity:\n" + security)
    if presets is not None:
        text += f"presets: {json.dumps(presets)}\n"
    if image is not None:
        text += f"transforms:\n  image: {json.dumps(image)}\n"
    config.write_text(text)
    return RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        cwd=directory,
        log_path=directory / "refract.log",
    )


def upload(http: GatewayHTTP, key: str, data: bytes, content_type: str, bucket: str = PUBLIC_BUCKET) -> str:
    """PUTs `data` as the admin user; returns the object's path (to which a suffix is appended)."""
    path = object_path(bucket, key)
    reply = http.request("PUT", path, body=data, headers={"content-type": content_type}, credentials=ADMIN)
    assert reply.status == 200, f"PUT {path} answered {reply.status}: {reply.body[:300]!r}"
    return path
