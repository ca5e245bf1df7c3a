"""The `exif` transform (SPEC §2, issue 4): the EXIF of JPEG, PNG, WebP and TIFF sources as JSON, tag by tag what
`exiftool -json -n` says of the same file; GPS as signed decimal degrees; `gps=false`; the headers of a transformed
object (strong ETag, 304, HEAD). It reads the head of the object and the ranges its metadata points to, never the
whole object (measured with the gateway's /proc/PID/io `rchar`), survives corrupt metadata, and refuses what is not
an image of a type it takes (SPEC §6).

Sources are made at test time with ImageMagick and exiftool, or built byte by byte for the corrupt cases."""

from __future__ import annotations

import json
import random
import re
import struct
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway_config import PUBLIC_BUCKET, write_gateway_config
from images import EXIFTOOL, TOOL_TIMEOUT, animated_gif, exiftool_write, magick, png_chunk, solid, upload
from refract_process import RefractProcess
from s3_http import GatewayHTTP, Reply, assert_s3_error, object_path

EXIF_GROUPS = ("IFD0", "ExifIFD", "GPS", "InteropIFD", "IFD1")
# exiftool leaves tags it does not know out of its JSON (without -u); Refract names them Tag0xNNNN.
UNKNOWN_TAG = re.compile(r"Tag0x[0-9A-F]{4}")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "tiff": "tif"}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tiff": "image/tiff"}
MIB = 1 << 20


# Sources


@dataclass(frozen=True)
class Camera:
    """One source image and the camera settings written into its EXIF."""

    fmt: str
    byte_order: str  # II (little-endian) or MM (big-endian)
    latitude: str  # e.g. "48.858222 N"
    longitude: str  # e.g. "2.2945 W"
    altitude: float  # metres, negative below sea level
    orientation: int
    exposure: str
    fnumber: float
    iso: int
    focal_length: float
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{self.fmt}-{self.byte_order}-{self.latitude[-1]}{self.longitude[-1]}" + (
            "-below-sea" if self.altitude < 0 else ""
        )

    def assignments(self) -> list[str]:
        latitude, latitude_ref = self.latitude.split()
        longitude, longitude_ref = self.longitude.split()
        byte_order = [] if self.fmt == "tiff" else [f"-ExifByteOrder={self.byte_order}"]
        return [
            *byte_order,
            f"-Make=Refract {self.fmt}",
            f"-Model=E2E {self.byte_order}",
            f"-DateTimeOriginal=2024:0{self.orientation}:1{self.orientation} 12:34:56",
            f"-Orientation={self.orientation}",
            f"-ExposureTime={self.exposure}",
            f"-FNumber={self.fnumber}",
            f"-ISO={self.iso}",
            f"-FocalLength={self.focal_length}",
            f"-GPSLatitude={latitude}",
            f"-GPSLatitudeRef={latitude_ref}",
            f"-GPSLongitude={longitude}",
            f"-GPSLongitudeRef={longitude_ref}",
            f"-GPSAltitude={abs(self.altitude)}",
            f"-GPSAltitudeRef={1 if self.altitude < 0 else 0}",
            "-n",
        ]

    def image(self) -> bytes:
        endian = ["-define", f"tiff:endian={'msb' if self.byte_order == 'MM' else 'lsb'}"] if self.fmt == "tiff" else []
        picture = magick(
            "-seed", str(self.orientation), "-size", f"{self.width}x{self.height}", "plasma:", "-depth", "8",
            *endian, f"{self.fmt}:-",
        )  # fmt: skip
        return exiftool_write(picture, *self.assignments())


# Every format in both byte orders; each byte order in all four hemispheres; each format once below sea level.
CAMERAS = [
    Camera("jpeg", "II", "48.858222 N", "2.2945 E", 35.5, 1, "1/250", 2.8, 100, 35, 320, 240),
    Camera("jpeg", "MM", "33.856784 S", "151.215297 W", -27.25, 6, "1/60", 1.8, 3200, 4.25, 300, 200),
    Camera("png", "II", "22.9519 S", "43.2105 E", -3, 3, "0.5", 5.6, 400, 50, 240, 160),
    Camera("png", "MM", "40.689247 N", "74.044502 W", 93, 8, "1/8000", 11, 12800, 200, 200, 240),
    Camera("webp", "II", "64.1466 N", "21.9426 W", -0.5, 2, "1/3", 4, 800, 24, 256, 144),
    Camera("webp", "MM", "1.2839 S", "36.8219 E", 1795, 5, "1/1000", 16, 200, 85, 180, 120),
    Camera("tiff", "II", "34.6037 S", "58.3816 W", 25, 4, "2", 8, 64, 105, 160, 120),
    Camera("tiff", "MM", "31.7683 N", "35.2137 E", -430.5, 7, "1/125", 3.5, 1600, 18, 128, 96),
]

# A JPEG that fills every directory: IFD1 with a thumbnail, InteropIFD, signed rationals, long strings, arrays.
RICH_EXTRA = [
    "-InteropIndex=R98",
    "-ExposureCompensation=-0.7",
    "-BrightnessValue=-1.25",
    "-UserComment=A comment with   spaces",
    "-ImageDescription=Harbour at dusk",
    "-Artist=Refract",
    "-Copyright=(c) Refract tests",
    "-Software=exiftool",
    "-LensInfo=24 70 2.8 4",
    "-LensModel=Zoom 24-70",
    "-SubjectArea=10 20 30 40",
    "-GPSTimeStamp=12:34:56.5",
    "-GPSDateStamp=2024:01:02",
    "-GPSImgDirection=271.5",
    "-WhiteBalance=1",
    "-Flash=16",
    "-MeteringMode=5",
    "-ExposureProgram=3",
    "-ShutterSpeedValue=8",
]


def small_camera_jpeg() -> bytes:
    """A 64×48 JPEG whose only camera tag is Make=Warm-up."""
    return exiftool_write(magick("-size", "64x48", "xc:#808080", "jpeg:-"), "-Make=Warm-up")


def exiftool_json(files: dict[str, bytes]) -> dict[str, dict[str, object]]:
    """`exiftool -json -a -G1 -n` of each file, in one exiftool run, by file name."""
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        completed = subprocess.run(
            [EXIFTOOL, "-json", "-a", "-G1", "-n", *sorted(files)],
            cwd=folder,
            capture_output=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return {entry["SourceFile"]: entry for entry in json.loads(completed.stdout)}


@dataclass(frozen=True)
class Source:
    path: str  # in the shared gateway, to which `!exif` is appended
    data: bytes
    exiftool: dict[str, object]  # exiftool -json -a -G1 -n of `data`


@pytest.fixture(scope="module")
def sources(http: GatewayHTTP) -> dict[str, Source]:
    """Every camera of CAMERAS, the rich JPEG and a PNG without EXIF, uploaded; by name."""
    prefix = f"exif-{uuid.uuid4().hex[:8]}/"
    made: dict[str, tuple[str, bytes]] = {camera.name: (camera.fmt, camera.image()) for camera in CAMERAS}
    thumbnail = magick("-seed", "9", "-size", "160x120", "plasma:", "-quality", "80", "jpeg:-")
    with tempfile.TemporaryDirectory() as folder:
        thumbnail_file = Path(folder) / "thumbnail.jpg"
        thumbnail_file.write_bytes(thumbnail)
        rich = exiftool_write(CAMERAS[1].image(), f"-ThumbnailImage<={thumbnail_file}", *RICH_EXTRA)
    made["rich"] = ("jpeg", rich)
    made["no-exif"] = ("png", solid(90, 60, "#336699"))
    files = {f"{name}.{EXTENSIONS[fmt]}": data for name, (fmt, data) in made.items()}
    described = exiftool_json(files)
    return {
        name: Source(
            path=upload(http, f"{prefix}{name}.{EXTENSIONS[fmt]}", data, CONTENT_TYPES[fmt]),
            data=data,
            exiftool=described[f"{name}.{EXTENSIONS[fmt]}"],
        )
        for name, (fmt, data) in made.items()
    }


# Checking answers


def exif_reply(http: GatewayHTTP, path: str, suffix: str = "exif", **headers: str) -> dict[str, object]:
    """The JSON of a 200 answer to `path!suffix`, checked to be application/json."""
    reply = http.get(f"{path}!{suffix}", headers={name.replace("_", "-"): value for name, value in headers.items()})
    assert reply.status == 200, f"GET {path}!{suffix} answered {reply.status}: {reply.body[:500]!r}"
    assert (reply.header("Content-Type") or "").split(";")[0].strip() == "application/json", reply.header(
        "Content-Type"
    )
    assert reply.header("Content-Length") == str(len(reply.body))
    return json.loads(reply.body)


def refract_tags(answer: dict[str, object], with_unknown: bool = False) -> dict[str, object]:
    """`GROUP:Name` -> value of every tag of the answer's `exif`, as exiftool -G1 keys them."""
    exif = answer["exif"]
    assert isinstance(exif, dict), answer
    unexpected = set(exif) - set(EXIF_GROUPS)
    assert not unexpected, f"directories that are not EXIF's: {unexpected}"
    return {
        f"{group}:{name}": value
        for group, tags in exif.items()
        for name, value in tags.items()
        if with_unknown or not UNKNOWN_TAG.fullmatch(name)
    }


def exiftool_exif_tags(described: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in described.items() if key.split(":")[0] in EXIF_GROUPS}


def assert_same_tags(answer: dict[str, object], described: dict[str, object], context: str) -> None:
    """Refract's tags are exiftool's, tag by tag: none missing, none extra, every value equal."""
    ours = refract_tags(answer)
    theirs = exiftool_exif_tags(described)
    differences = {
        key: (ours.get(key, "<absent>"), theirs.get(key, "<absent>"))
        for key in sorted(set(ours) | set(theirs))
        if ours.get(key, "<absent>") != theirs.get(key, "<absent>")
    }
    assert not differences, f"{context}: tag (refract, exiftool): {differences}"


def expected_gps(described: dict[str, object]) -> dict[str, object] | None:
    """exiftool's Composite position (signed by its refs), or None when the image has none."""
    position = {
        "latitude": described.get("Composite:GPSLatitude"),
        "longitude": described.get("Composite:GPSLongitude"),
        "altitude": described.get("Composite:GPSAltitude"),
    }
    return position if any(value is not None for value in position.values()) else None


def image_size(described: dict[str, object]) -> tuple[int, int]:
    """exiftool's image size, from the group that holds it in each format (JPEG File, PNG, WebP RIFF, TIFF IFD0)."""
    for group in ("File", "PNG", "RIFF", "IFD0"):
        width, height = described.get(f"{group}:ImageWidth"), described.get(f"{group}:ImageHeight")
        if isinstance(width, int) and isinstance(height, int):
            return width, height
    raise AssertionError(f"exiftool reports no image size: {described}")


# Tags and values


@pytest.mark.parametrize("camera", CAMERAS, ids=lambda camera: camera.name)
def test_tags_equal_exiftool(http, sources, camera):
    source = sources[camera.name]
    described = source.exiftool
    # The fixture is what it claims to be, or the comparison below proves little.
    assert described["File:ExifByteOrder"] == camera.byte_order, described.get("File:ExifByteOrder")
    assert described["IFD0:Make"] == f"Refract {camera.fmt}" and described["ExifIFD:ISO"] == camera.iso, described
    assert (described["GPS:GPSLatitudeRef"], described["GPS:GPSLongitudeRef"]) == (
        camera.latitude[-1],
        camera.longitude[-1],
    )

    answer = exif_reply(http, source.path)
    assert (answer["format"], answer["width"], answer["height"]) == (camera.fmt, camera.width, camera.height)
    assert image_size(described) == (camera.width, camera.height)
    assert_same_tags(answer, described, camera.name)
    for name in ("Make", "Model", "Orientation"):
        assert f"IFD0:{name}" in refract_tags(answer), name
    for name in ("DateTimeOriginal", "ExposureTime", "FNumber", "ISO", "FocalLength"):
        assert f"ExifIFD:{name}" in refract_tags(answer), name

    gps = answer["gps"]
    assert gps == expected_gps(described), f"gps {gps} against exiftool's Composite {expected_gps(described)}"
    assert (gps["latitude"] < 0) == camera.latitude.endswith("S")
    assert (gps["longitude"] < 0) == camera.longitude.endswith("W")
    assert gps["altitude"] == camera.altitude


def test_every_directory_and_value_type_equals_exiftool(http, sources):
    """IFD1 (with the thumbnail it points to), InteropIFD, signed rationals, arrays, strings, GPS time and date."""
    source = sources["rich"]
    answer = exif_reply(http, source.path)
    tags = refract_tags(answer)
    for key in (
        "IFD1:ThumbnailOffset",
        "IFD1:ThumbnailLength",
        "InteropIFD:InteropIndex",
        "ExifIFD:ExposureCompensation",
        "ExifIFD:BrightnessValue",
        "ExifIFD:LensInfo",
        "ExifIFD:UserComment",
        "GPS:GPSTimeStamp",
    ):
        assert key in tags, f"{key} missing: {sorted(tags)}"
    assert tags["ExifIFD:ExposureCompensation"] == -0.7
    assert_same_tags(answer, source.exiftool, "rich")
    assert answer["gps"] == expected_gps(source.exiftool)
    assert "MakerNote" not in json.dumps(answer)


def test_an_image_without_exif_has_its_size_and_no_tags(http, sources):
    answer = exif_reply(http, sources["no-exif"].path)
    assert answer == {"format": "png", "width": 90, "height": 60, "exif": {}, "gps": None}


def test_gps_false_drops_every_gps_value(http, sources):
    for name in ("rich", CAMERAS[2].name, CAMERAS[7].name):
        path = sources[name].path
        full = exif_reply(http, path)
        without = exif_reply(http, path, "exif:gps=false")
        assert "GPS" in full["exif"] and full["gps"], name
        assert "GPS" not in without["exif"], without
        assert "gps" not in without, without
        assert "GPS" not in json.dumps(without), "no GPS tag left anywhere"
        assert {key: value for key, value in full["exif"].items() if key != "GPS"} == without["exif"]
        assert {key: full[key] for key in ("format", "width", "height")} == {
            key: without[key] for key in ("format", "width", "height")
        }
        assert exif_reply(http, path, "exif:gps=true") == full


def test_bad_parameter_is_invalid_transform(http, sources):
    for suffix in ("exif:gps=maybe", "exif:colour=red"):
        assert_s3_error(http.get(f"{sources['rich'].path}!{suffix}"), 400, "InvalidTransform")


# Headers


def test_etag_304_and_head_as_other_transforms(http, sources):
    path = sources["rich"].path
    first = http.get(f"{path}!exif")
    second = http.get(f"{path}!exif")
    assert first.status == second.status == 200
    etag = first.header("ETag")
    assert etag and etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/"), etag
    assert (second.header("ETag"), second.body) == (etag, first.body)
    assert first.header("Cache-Control")
    assert etag != http.request("HEAD", path).header("ETag")
    without_gps = http.get(f"{path}!exif:gps=false")
    assert without_gps.header("ETag") not in (None, etag)
    assert http.get(f"{path}!exif:gps=true").header("ETag") == etag, "the default spelled out is the same pipeline"

    not_modified = http.get(f"{path}!exif", headers={"if-none-match": etag})
    assert (not_modified.status, not_modified.body, not_modified.header("ETag")) == (304, b"", etag)
    stale = http.get(f"{path}!exif", headers={"if-none-match": without_gps.header("ETag")})
    assert (stale.status, stale.body) == (200, first.body)

    head = http.request("HEAD", f"{path}!exif")
    assert (head.status, head.body) == (200, b"")
    for name in ("ETag", "Content-Type", "Cache-Control"):
        assert head.header(name) == first.header(name), name
    assert head.header("Content-Length") == str(len(first.body))


# After another step


def test_exif_after_resize_reads_the_resized_image(http, sources):
    """`!resize:w=100,strip=false!exif` describes the resize's output, as exiftool does: upright (Orientation 6 was
    applied, so 300×200 stored is 200×300 shown and 100×150 after), Orientation rewritten to 1, the rest kept."""
    source = sources[CAMERAS[1].name]
    resized = http.get(f"{source.path}!resize:w=100,strip=false")
    assert resized.status == 200, resized.body[:300]
    described = exiftool_json({"resized.jpg": resized.body})["resized.jpg"]

    answer = exif_reply(http, source.path, "resize:w=100,strip=false!exif")
    assert (answer["format"], answer["width"], answer["height"]) == ("jpeg", 100, 150)
    assert image_size(described) == (100, 150)
    tags = refract_tags(answer)
    assert tags["IFD0:Orientation"] == 1
    assert tags["IFD0:Make"] == source.exiftool["IFD0:Make"]
    assert tags["ExifIFD:ISO"] == source.exiftool["ExifIFD:ISO"]
    assert_same_tags(answer, described, "resized")
    assert answer["gps"] == expected_gps(described)

    stripped = exif_reply(http, source.path, "resize:w=100!exif")
    assert (stripped["width"], stripped["height"], stripped["exif"], stripped["gps"]) == (100, 150, {}, None)


# Reading only what is needed


def read_bytes(gateway: RefractProcess) -> int:
    """Bytes the gateway process has read so far (files and sockets): /proc/PID/io `rchar`."""
    for line in Path(f"/proc/{gateway.pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise KeyError("rchar")


def measured_get(gateway: RefractProcess, path: str) -> tuple[Reply, int]:
    """The answer to GET `path` on `gateway` and how many bytes the gateway read meanwhile."""
    http = GatewayHTTP(gateway.host, gateway.port)
    before = read_bytes(gateway)
    reply = http.get(path)
    return reply, read_bytes(gateway) - before


def noise_image(width: int, height: int, fmt: str, seed: int, *options: str) -> bytes:
    """Random pixels: incompressible, so the file is large (a JPEG at quality 100 about width × height × 3)."""
    generator = random.Random(seed)
    ppm = b"P6 %d %d 255\n" % (width, height) + generator.randbytes(width * height * 3)
    return magick("ppm:-", *options, f"{fmt}:-", stdin=ppm)


def drop_object(gateway: RefractProcess, key: str, data: bytes) -> str:
    """Puts `data` straight into the gateway's filesystem store (a hand-dropped file); returns its path."""
    file = gateway.log_path.parent / "storage" / PUBLIC_BUCKET / key
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    return object_path(PUBLIC_BUCKET, key)


def test_exif_of_a_50_mib_jpeg_reads_under_1_mb(own_gateway):
    gateway = own_gateway()
    camera = CAMERAS[0]
    big = exiftool_write(
        noise_image(4600, 4000, "jpeg", 1, "-quality", "100", "-sampling-factor", "1x1"), *camera.assignments()
    )
    assert len(big) >= 50 * MIB, f"the fixture is only {len(big)} bytes"
    path = drop_object(gateway, "big/photo.jpg", big)
    warm_up = drop_object(gateway, "big/small.jpg", small_camera_jpeg())
    assert measured_get(gateway, f"{warm_up}!exif")[0].status == 200

    reply, read = measured_get(gateway, f"{path}!exif")
    assert reply.status == 200, reply.body[:500]
    answer = json.loads(reply.body)
    assert (answer["width"], answer["height"]) == (4600, 4000)
    assert_same_tags(answer, exiftool_json({"big.jpg": big})["big.jpg"], "50 MiB JPEG")
    assert read < 1_000_000, f"exif of a {len(big)}-byte JPEG read {read} bytes"

    # The measure itself sees store reads: a plain GET reads the whole file.
    plain, plain_read = measured_get(gateway, path)
    assert plain.status == 200 and len(plain.body) == len(big)
    assert plain_read >= len(big), f"rchar grew by {plain_read} for a {len(big)}-byte GET"


HEAD_BYTES = 4096
LONG_DESCRIPTION = "Description " * 2500  # 30000 bytes
LONG_COMMENT = "comment " * 2500  # 20000 bytes


@pytest.fixture(scope="module")
def small_head_gateway(tmp_path_factory) -> Iterator[RefractProcess]:
    """A gateway whose `exif` reads a head of 4 KiB (`transforms.exif.head_bytes`)."""
    directory = tmp_path_factory.mktemp("exif-head")
    config = write_gateway_config(directory)
    config.write_text(config.read_text() + f"transforms:\n  exif:\n    head_bytes: {HEAD_BYTES // 1024}KiB\n")
    process = RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        cwd=directory,
        log_path=directory / "refract.log",
    )
    yield process
    process.kill()


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "tiff"])
def test_metadata_larger_than_the_head_is_read_in_full(small_head_gateway, fmt):
    """50 KB of EXIF behind a 4 KiB head: every tag still comes back (and the size, which a JPEG keeps after its
    EXIF), at the cost of the ranges the metadata spans, not of the object (TIFF and WebP keep it at the end)."""
    options = {"jpeg": ["-quality", "95"], "tiff": ["-define", "tiff:endian=msb"], "webp": ["-quality", "90"]}
    picture = noise_image(1000, 1000, fmt, 2, *options.get(fmt, []))
    data = exiftool_write(
        picture,
        f"-ImageDescription={LONG_DESCRIPTION}",
        f"-UserComment={LONG_COMMENT}",
        *CAMERAS[3].assignments(),
    )
    assert len(data) > 800_000
    path = drop_object(small_head_gateway, f"head/{fmt}.{EXTENSIONS[fmt]}", data)
    described = exiftool_json({f"image.{EXTENSIONS[fmt]}": data})[f"image.{EXTENSIONS[fmt]}"]
    assert described["IFD0:ImageDescription"] == LONG_DESCRIPTION

    reply, read = measured_get(small_head_gateway, f"{path}!exif")
    assert reply.status == 200, reply.body[:500]
    answer = json.loads(reply.body)
    assert_same_tags(answer, described, f"{fmt} with a 4 KiB head")
    assert answer["gps"] == expected_gps(described)
    assert (answer["format"], answer["width"], answer["height"]) == (fmt, 1000, 1000), {
        key: answer[key] for key in ("format", "width", "height")
    }
    metadata = len(LONG_DESCRIPTION) + len(LONG_COMMENT)
    assert read < HEAD_BYTES + metadata + 16 * 1024, f"read {read} bytes of a {len(data)}-byte {fmt}"


# Corrupt metadata


def ifd_entry(big_endian: bool, tag: int, kind: int, count: int, value: bytes | int) -> bytes:
    """One 12-byte IFD entry; `value` is the 4-byte field itself (inline data) or an offset."""
    order = ">" if big_endian else "<"
    field = value.ljust(4, b"\0") if isinstance(value, bytes) else struct.pack(order + "I", value)
    return struct.pack(order + "HHI", tag, kind, count) + field


def tiff_structure(
    big_endian: bool, directories: list[tuple[int, list[bytes], int]], data: tuple[tuple[int, bytes], ...] = ()
) -> bytes:
    """A TIFF structure: the header pointing at the first directory, each directory (offset, entries, next-IFD link)
    at its offset, and data blocks at theirs; gaps are zeros."""
    order = ">" if big_endian else "<"
    pieces = [(0, (b"MM\0*" if big_endian else b"II*\0") + struct.pack(order + "I", directories[0][0]))]
    for offset, entries, next_link in directories:
        pieces.append(
            (offset, struct.pack(order + "H", len(entries)) + b"".join(entries) + struct.pack(order + "I", next_link))
        )
    pieces.extend(data)
    size = max(offset + len(piece) for offset, piece in pieces)
    block = bytearray(size)
    for offset, piece in pieces:
        block[offset : offset + len(piece)] = piece
    return bytes(block)


ASCII, SHORT, LONG = 2, 3, 4
MAKE, MODEL, SOFTWARE, ORIENTATION = 0x010F, 0x0110, 0x0131, 0x0112
EXIF_POINTER, GPS_POINTER, INTEROP_POINTER, ISO_TAG = 0x8769, 0x8825, 0xA005, 0x8827


def jpeg_with_app1(tiff: bytes, declared_length: int | None = None, cut_at: int | None = None) -> bytes:
    """A small real JPEG with `tiff` as its APP1 Exif segment right after SOI; `declared_length` overrides the
    segment's length field, `cut_at` truncates the file there."""
    base = magick("-size", "64x48", "xc:#808080", "jpeg:-")
    payload = b"Exif\0\0" + tiff
    length = declared_length if declared_length is not None else len(payload) + 2
    data = base[:2] + b"\xff\xe1" + struct.pack(">H", length) + payload + base[2:]
    return data[:cut_at] if cut_at is not None else data


def corrupt_offsets() -> bytes:
    """Make's value and the ExifIFD lie far past the end of the structure; Model and Orientation are inline."""
    entries = [
        ifd_entry(True, MAKE, ASCII, 40, 0x7FFF_FFF0),
        ifd_entry(True, MODEL, ASCII, 3, b"M1\0"),
        ifd_entry(True, ORIENTATION, SHORT, 1, struct.pack(">H", 6)),
        ifd_entry(True, SOFTWARE, ASCII, 20, 0xFFFF_FF00),
        ifd_entry(True, EXIF_POINTER, LONG, 1, 0x00FF_FFF0),
    ]
    return jpeg_with_app1(tiff_structure(True, [(8, entries, 0x7FFF_0000)]))


def self_pointing_directories() -> bytes:
    """IFD0 links to itself as IFD1 and as its GPS IFD; the ExifIFD's InteropIFD and GPS pointers point to the
    ExifIFD itself."""
    ifd0 = [
        ifd_entry(False, MODEL, ASCII, 4, b"Cam\0"),
        ifd_entry(False, EXIF_POINTER, LONG, 1, 64),
        ifd_entry(False, GPS_POINTER, LONG, 1, 8),
    ]
    exif_ifd = [
        ifd_entry(False, ISO_TAG, SHORT, 1, struct.pack("<H", 200)),
        ifd_entry(False, INTEROP_POINTER, LONG, 1, 64),
        ifd_entry(False, GPS_POINTER, LONG, 1, 64),
    ]
    return jpeg_with_app1(tiff_structure(False, [(8, ifd0, 8), (64, exif_ifd, 64)]))


def absurd_counts() -> bytes:
    """IFD0 claims 65535 entries, holds 3: a string of 4 G characters, an array of 1 G shorts, and Model."""
    entries = [
        ifd_entry(True, MAKE, ASCII, 0xFFFF_FFFF, 26),
        ifd_entry(True, 0x0102, SHORT, 0x4000_0000, 26),
        ifd_entry(True, MODEL, ASCII, 4, b"Abs\0"),
    ]
    tiff = bytearray(tiff_structure(True, [(8, entries, 0)]))
    tiff[8:10] = b"\xff\xff"
    return jpeg_with_app1(bytes(tiff))


def truncated_app1() -> bytes:
    """The APP1 says 4000 bytes; the file ends 60 bytes into it, after IFD0's entries and Model, before Make's
    value and everything else."""
    entries = [
        ifd_entry(True, MODEL, ASCII, 4, b"Cut\0"),
        ifd_entry(True, MAKE, ASCII, 30, 200),
        ifd_entry(True, EXIF_POINTER, LONG, 1, 300),
    ]
    tiff = tiff_structure(True, [(8, entries, 0)], ((200, b"Never read make".ljust(30, b"\0")),))
    full = jpeg_with_app1(tiff.ljust(3990, b"\0"), declared_length=4000)
    return full[: 2 + 4 + 6 + 60]


def truncated_png_exif() -> bytes:
    """A PNG whose eXIf chunk says 100000 bytes and the file ends within it: the IHDR size is all there is."""
    tiff = tiff_structure(True, [(8, [ifd_entry(True, MAKE, ASCII, 40, 100)], 0)])
    header = struct.pack(">IIBBBBB", 70, 50, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + struct.pack(">I", 100_000) + b"eXIf" + tiff[:40]
    )


def truncated_jpeg() -> bytes:
    """A JPEG with EXIF whose last 300 bytes of pixel data are missing."""
    return exiftool_write(magick("-size", "200x100", "gradient:", "jpeg:-"), "-Model=Half")[:-300]


@dataclass(frozen=True)
class Corrupt:
    make: Callable[[], bytes]
    content_type: str
    tags: dict[str, object] | None  # the tags expected back (`GROUP:Name`); None: 422; EXIFTOOL_SAYS: exiftool's
    size: tuple[int | None, int | None] = (None, None)


EXIFTOOL_SAYS: dict[str, object] = {"as": "exiftool"}
CORRUPT = {
    "offsets-past-the-end": Corrupt(corrupt_offsets, "image/jpeg", {"IFD0:Model": "M1", "IFD0:Orientation": 6},
                                    (64, 48)),
    "self-pointing-ifd": Corrupt(self_pointing_directories, "image/jpeg", {"IFD0:Model": "Cam", "ExifIFD:ISO": 200},
                                 (64, 48)),
    "absurd-counts": Corrupt(absurd_counts, "image/jpeg", {"IFD0:Model": "Abs"}, (64, 48)),
    "truncated-app1": Corrupt(truncated_app1, "image/jpeg", {"IFD0:Model": "Cut"}),
    "truncated-tiff-header": Corrupt(lambda: jpeg_with_app1(b"MM\0*\0\0\0\x08", cut_at=15), "image/jpeg", None),
    "truncated-png-exif": Corrupt(truncated_png_exif, "image/png", {}, (70, 50)),
    "tiff-ifd-past-the-end": Corrupt(lambda: b"II*\0" + struct.pack("<I", 1 << 30) + bytes(64), "image/tiff", None),
    "jpeg-cut-in-its-pixels": Corrupt(truncated_jpeg, "image/jpeg", EXIFTOOL_SAYS, (200, 100)),
}  # fmt: skip


@pytest.fixture(scope="module")
def healthy_path(http: GatewayHTTP) -> str:
    return upload(http, f"exif-{uuid.uuid4().hex[:8]}/healthy.jpg", small_camera_jpeg(), "image/jpeg")


@pytest.mark.parametrize("name", CORRUPT)
def test_corrupt_metadata_gives_what_could_be_read_or_422(http, healthy_path, name):
    case = CORRUPT[name]
    data = case.make()
    path = upload(http, f"exif-corrupt-{uuid.uuid4().hex[:8]}/{name}", data, case.content_type)
    reply = http.get(f"{path}!exif")
    assert reply.status < 500, f"{name}: {reply.status} {reply.body[:500]!r}"
    if case.tags is None:
        assert_s3_error(reply, 422, "UnprocessableSource")
    else:
        assert reply.status == 200, f"{name}: {reply.status} {reply.body[:500]!r}"
        answer = json.loads(reply.body)
        if case.tags is EXIFTOOL_SAYS:
            described = exiftool_json({"image": data})["image"]
            assert described.get("IFD0:Model") == "Half", described
            assert_same_tags(answer, described, name)
        else:
            assert refract_tags(answer, with_unknown=True) == case.tags, answer
        assert (answer["width"], answer["height"]) == case.size, answer
    # The gateway is still there and still reads EXIF.
    assert exif_reply(http, healthy_path)["exif"]["IFD0"]["Make"] == "Warm-up"


@pytest.mark.parametrize(
    ("name", "content_type", "status", "code"),
    [
        ("not-an-image.jpg", "image/jpeg", 422, "UnprocessableSource"),
        ("photo.txt", "text/plain", 415, "UnsupportedMediaType"),
        ("animation.gif", "image/gif", 415, "UnsupportedMediaType"),
    ],
)
def test_sources_exif_does_not_take(http, healthy_path, name, content_type, status, code):
    data = {
        "not-an-image.jpg": b"%PDF-1.4 these bytes are no picture at all\n" * 20,
        "photo.txt": small_camera_jpeg(),  # a real JPEG, but stored as text
        "animation.gif": animated_gif(40, 30, ["red", "blue"]),
    }[name]
    path = upload(http, f"exif-refused-{uuid.uuid4().hex[:8]}/{name}", data, content_type)
    assert_s3_error(http.get(f"{path}!exif"), status, code)
    assert_s3_error(http.request("HEAD", f"{path}!exif"), status, code)
    assert exif_reply(http, healthy_path)["exif"]["IFD0"]["Make"] == "Warm-up"
