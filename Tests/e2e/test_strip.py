"""The `strip` transform (SPEC §2, issue 4): a JPEG or PNG without its EXIF, GPS, XMP, IPTC, comments and PNG text
chunks, streamed and not re-encoded. exiftool finds none of that metadata in the answer, ImageMagick's
`compare -metric AE` finds no pixel changed, and the bytes are exactly the source's minus the dropped JPEG segments
or PNG chunks (checked with the parsers below). The ICC profile stays unless `keep=none`. A 200 MB PNG streams
through with the gateway's peak memory flat.

Sources are made at test time with ImageMagick and exiftool, with chunks exiftool does not write added by hand."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway_config import PUBLIC_BUCKET
from images import CONTENT_TYPES, TOOL_TIMEOUT, animated_gif, exif_tags, exiftool_write, magick, png_chunk, upload
from s3_http import GatewayHTTP, assert_s3_error, object_path

COMPARE = "/usr/bin/compare"
MIB = 1 << 20
MEMORY_GROWTH_LIMIT_KIB = 64 * 1024
TRANSFER_TIMEOUT = 300

# exiftool -G1 groups that hold what strip removes (XMP comes as XMP-x, XMP-dc, ...).
METADATA_GROUPS = ("IFD0", "ExifIFD", "GPS", "InteropIFD", "IFD1", "IPTC", "Photoshop")
ICC_GROUPS = ("ICC-header", "ICC_Profile")
# PNG tags that come from text chunks (tEXt, zTXt, iTXt) and tIME in the sources below.
PNG_TEXT_TAGS = ("Comment", "Title", "Author", "Datecreate", "Datemodify", "ModifyDate", "Description", "Make")


# Parsing: what the answer must be, byte for byte


@dataclass(frozen=True)
class Piece:
    """A JPEG marker segment (its code), entropy-coded data (code None), or a PNG chunk (its type)."""

    kind: int | str | None
    data: bytes


def jpeg_pieces(data: bytes) -> tuple[list[Piece], bytes]:
    """The pieces of a JPEG up to and including EOI, and whatever follows EOI."""
    assert data[:2] == b"\xff\xd8", data[:4]
    pieces = [Piece(0xD8, data[:2])]
    at = 2
    while at < len(data):
        assert data[at] == 0xFF, f"no marker at {at}"
        code = data[at + 1]
        if code == 0xD9:
            pieces.append(Piece(code, data[at : at + 2]))
            return pieces, data[at + 2 :]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        pieces.append(Piece(code, data[at : at + 2 + length]))
        at += 2 + length
        if code == 0xDA:
            end = at
            while True:  # entropy-coded data runs to the first FF that is neither stuffing (FF00) nor RSTn
                end = data.index(b"\xff", end)
                if data[end + 1] == 0x00 or 0xD0 <= data[end + 1] <= 0xD7:
                    end += 2
                    continue
                break
            pieces.append(Piece(None, data[at:end]))
            at = end
    raise AssertionError("the JPEG has no EOI")


def is_icc_segment(piece: Piece) -> bool:
    return piece.kind == 0xE2 and piece.data[4:16] == b"ICC_PROFILE\0"


def stripped_jpeg(data: bytes, keep_icc: bool) -> bytes:
    """`data` without APP1 (Exif, XMP), APP13 (IPTC), COM, the APP2 MPF index, ICC unless kept, and what follows EOI."""
    pieces, _trailer = jpeg_pieces(data)
    return b"".join(
        piece.data
        for piece in pieces
        if piece.kind not in (0xE1, 0xED, 0xFE)
        and not (piece.kind == 0xE2 and piece.data[4:8] == b"MPF\0")
        and (keep_icc or not is_icc_segment(piece))
    )


def png_pieces(data: bytes) -> list[Piece]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pieces, at = [], 8
    while at < len(data):
        length = struct.unpack(">I", data[at : at + 4])[0]
        pieces.append(Piece(data[at + 4 : at + 8].decode("latin-1"), data[at : at + 12 + length]))
        at += 12 + length
        if pieces[-1].kind == "IEND":
            break
    return pieces


PNG_DROPPED = {"tEXt", "zTXt", "iTXt", "eXIf", "tIME"}


def stripped_png(data: bytes, keep_icc: bool) -> bytes:
    kept = [p.data for p in png_pieces(data) if p.kind not in PNG_DROPPED and (keep_icc or p.kind != "iCCP")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(kept)


def stripped(data: bytes, keep_icc: bool) -> bytes:
    return stripped_jpeg(data, keep_icc) if data.startswith(b"\xff\xd8") else stripped_png(data, keep_icc)


def kinds(data: bytes) -> list[int | str | None]:
    pieces = jpeg_pieces(data)[0] if data.startswith(b"\xff\xd8") else png_pieces(data)
    return [piece.kind for piece in pieces]


# Making sources


def icc_profile() -> bytes:
    """A small, valid ICC v2 RGB display profile (sRGB's primaries, gamma 2.2), built here because no profile file
    ships with the test machine's packages: header, tag table, description, copyright, white point, matrix, curves."""

    def s15_fixed(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15_fixed(x) + s15_fixed(y) + s15_fixed(z)

    name = b"Refract test RGB\0"
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # one u8Fixed8 entry: 2.2
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + bytes(8 + 3 + 67)),
        (b"cprt", b"text\0\0\0\0No copyright, test profile\0"),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    table_end = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += struct.pack(">4sII", signature, table_end + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    header = (
        struct.pack(">I4sI4s4s4s", table_end + len(data), b"", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8 + 4)  # platform, flags, manufacturer, model, attributes, rendering intent
        + s15_fixed(0.9642) + s15_fixed(1.0) + s15_fixed(0.8249)  # the D50 illuminant
        + bytes(4 + 16 + 28)  # creator, profile ID, reserved
    )  # fmt: skip
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


METADATA = [
    "-Make=Refract Strip",
    "-Model=E2E",
    "-DateTimeOriginal=2024:05:06 07:08:09",
    "-GPSLatitude=48.8583",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=2.2945",
    "-GPSLongitudeRef=W",
    "-GPSAltitude=35",
    "-XMP-dc:Title=An XMP title",
    "-XMP-dc:Creator=Somebody",
]
JPEG_ONLY = ["-IPTC:Keywords=refract", "-IPTC:City=Paris", "-Comment=A JPEG comment"]
PNG_ONLY = ["-PNG:Comment=A PNG comment", "-PNG:Title=A PNG title", "-PNG:Author=Somebody"]


def picture_with_metadata(fmt: str, icc: bytes, *options: str) -> bytes:
    """A 240×160 plasma with the ICC profile `icc`, encoded with `options`, then exiftool's metadata."""
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "profile.icc"
        profile.write_bytes(icc)
        picture = magick("-seed", "4", "-size", "240x160", "plasma:", "-profile", str(profile), *options, f"{fmt}:-")
    return exiftool_write(picture, *METADATA, *(JPEG_ONLY if fmt == "jpeg" else PNG_ONLY))


def with_png_chunks(png: bytes) -> bytes:
    """`png` with a zTXt (and a tIME unless it has one) before its first IDAT and a tEXt after its last: chunks
    exiftool does not write."""
    pieces = png_pieces(png)
    first_idat = next(index for index, piece in enumerate(pieces) if piece.kind == "IDAT")
    before = png_chunk(b"zTXt", b"Description\0\0" + zlib.compress(b"compressed text " * 20))
    if "tIME" not in {piece.kind for piece in pieces}:
        before += png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 5, 6, 7, 8, 9))
    after = png_chunk(b"tEXt", b"Comment\0written after the image data")
    chunks = [piece.data for piece in pieces]
    chunks.insert(first_idat, before)
    chunks.insert(len(chunks) - 1, after)
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def with_comment_between_scans_and_trailer(jpeg: bytes) -> bytes:
    """`jpeg` (progressive) with a COM segment after its first scan and bytes after EOI, as phones append a second
    picture there."""
    pieces, trailer = jpeg_pieces(jpeg)
    first_scan_data = next(index for index, piece in enumerate(pieces) if piece.kind is None)
    comment = b"between the scans"
    pieces.insert(first_scan_data + 1, Piece(0xFE, b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment))
    return b"".join(piece.data for piece in pieces) + trailer + b"trailing bytes after EOI, GPS 48.8583 N"


@dataclass(frozen=True)
class Source:
    path: str
    data: bytes
    fmt: str


@pytest.fixture(scope="module")
def sources(http: GatewayHTTP) -> dict[str, Source]:
    """A baseline and a progressive JPEG and a PNG, each with an ICC profile, EXIF with GPS, XMP, and IPTC and
    comments (JPEG; the progressive one has a comment between scans and a trailer after EOI) or text, compressed
    text and time chunks (PNG)."""
    icc = icc_profile()
    prefix = f"strip-{uuid.uuid4().hex[:8]}/"
    made = {
        "baseline": ("jpeg", picture_with_metadata("jpeg", icc, "-quality", "90")),
        "progressive": (
            "jpeg",
            with_comment_between_scans_and_trailer(
                picture_with_metadata("jpeg", icc, "-interlace", "Plane", "-quality", "90")
            ),
        ),
        "png": ("png", with_png_chunks(picture_with_metadata("png", icc, "-depth", "8"))),
    }
    assert kinds(made["progressive"][1]).count(0xDA) > 1, "a progressive JPEG has several scans"
    return {
        name: Source(upload(http, f"{prefix}{name}.{fmt}", data, CONTENT_TYPES[fmt]), data, fmt)
        for name, (fmt, data) in made.items()
    }


# Checks


def pixel_difference(first: bytes, second: bytes, fmt: str) -> str:
    """What `compare -metric AE first second null:` prints: how many pixels differ."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"{name}.{fmt}" for name in ("first", "second")]
        for path, data in zip(paths, (first, second), strict=True):
            path.write_bytes(data)
        completed = subprocess.run(
            [COMPARE, "-quiet", "-metric", "AE", *map(str, paths), "null:"], capture_output=True, timeout=TOOL_TIMEOUT
        )
    assert completed.returncode in (0, 1), completed.stderr.decode(errors="replace")
    return completed.stderr.decode().strip()


def metadata_keys(tags: dict[str, object]) -> list[str]:
    """The exiftool `GROUP:Name` keys that strip must remove."""
    return [
        key
        for key in tags
        if key.split(":")[0] in METADATA_GROUPS
        or key.startswith("XMP-")
        or key.startswith("Composite:GPS")
        or key == "File:Comment"
        or (key.split(":")[0] == "PNG" and key.split(":")[1] in PNG_TEXT_TAGS)
    ]


def icc_keys(tags: dict[str, object]) -> list[str]:
    return [key for key in tags if key.split(":")[0] in ICC_GROUPS]


def strip_reply(http: GatewayHTTP, source: Source, suffix: str) -> bytes:
    reply = http.get(f"{source.path}!{suffix}")
    assert reply.status == 200, f"GET {source.path}!{suffix} answered {reply.status}: {reply.body[:500]!r}"
    assert reply.header("Content-Type") == CONTENT_TYPES[source.fmt]
    return reply.body


@pytest.mark.parametrize("name", ["baseline", "progressive", "png"])
def test_strip_removes_metadata_and_keeps_icc_and_pixels(http, sources, name):
    source = sources[name]
    before = exif_tags(source.data)
    assert {"IFD0:Make", "GPS:GPSLatitude", "XMP-dc:Title"} <= set(before), sorted(before)
    if source.fmt == "jpeg":
        assert {"IPTC:City", "File:Comment"} <= set(before), sorted(before)
    else:
        assert {"PNG:Comment", "PNG:Title", "PNG:Description", "PNG:ModifyDate"} <= set(before), sorted(before)
    assert icc_keys(before), "the source has an ICC profile"

    body = strip_reply(http, source, "strip")
    after = exif_tags(body)
    assert not metadata_keys(after), f"left in: {metadata_keys(after)}"
    assert icc_keys(after), "the ICC profile is kept by default"
    assert {key: after[key] for key in icc_keys(after)} == {key: before[key] for key in icc_keys(before)}
    assert pixel_difference(source.data, body, source.fmt) == "0"
    assert body == stripped(source.data, keep_icc=True), f"pieces: {kinds(body)} from {kinds(source.data)}"
    assert len(body) < len(source.data)


@pytest.mark.parametrize("name", ["baseline", "png"])
def test_keep_none_removes_the_icc_profile_too(http, sources, name):
    source = sources[name]
    body = strip_reply(http, source, "strip:keep=none")
    after = exif_tags(body)
    assert not metadata_keys(after), f"left in: {metadata_keys(after)}"
    assert not icc_keys(after), f"ICC left in: {icc_keys(after)}"
    if source.fmt == "png":
        assert "iCCP" not in kinds(body)
    else:
        assert not any(is_icc_segment(piece) for piece in jpeg_pieces(body)[0])
    assert pixel_difference(source.data, body, source.fmt) == "0"
    assert body == stripped(source.data, keep_icc=False), f"pieces: {kinds(body)} from {kinds(source.data)}"
    assert strip_reply(http, source, "strip:none") == body, "keep is the primary parameter"


def test_equivalent_suffixes_share_an_etag_and_304(http, sources):
    path = sources["baseline"].path
    plain = http.get(f"{path}!strip")
    etag = plain.header("ETag")
    assert plain.status == 200 and etag and etag.startswith('"'), etag
    for suffix in ("strip:icc", "strip:keep=icc"):
        reply = http.get(f"{path}!{suffix}")
        assert (reply.status, reply.header("ETag"), reply.body) == (200, etag, plain.body), suffix
    assert http.get(f"{path}!strip:none").header("ETag") not in (None, etag)
    assert etag != http.request("HEAD", path).header("ETag")
    not_modified = http.get(f"{path}!strip", headers={"if-none-match": etag})
    assert (not_modified.status, not_modified.body, not_modified.header("ETag")) == (304, b"", etag)
    head = http.request("HEAD", f"{path}!strip")
    assert (head.status, head.header("ETag"), head.header("Content-Type")) == (200, etag, "image/jpeg")
    assert head.header("Content-Length") == str(len(plain.body))


def test_strip_after_resize_strips_its_output(http, sources):
    source = sources["baseline"]
    resized = http.get(f"{source.path}!resize:w=120,strip=false")
    assert resized.status == 200 and exif_tags(resized.body).get("IFD0:Make") == "Refract Strip"
    body = strip_reply(http, source, "resize:w=120,strip=false!strip")
    assert not metadata_keys(exif_tags(body))
    assert body == stripped(resized.body, keep_icc=True)


def test_bad_parameter_is_invalid_transform(http, sources):
    for suffix in ("strip:keep=xmp", "strip:all"):
        assert_s3_error(http.get(f"{sources['png'].path}!{suffix}"), 400, "InvalidTransform")


@pytest.mark.parametrize(
    ("name", "content_type", "status", "code"),
    [
        ("not-an-image.jpg", "image/jpeg", 422, "UnprocessableSource"),
        ("photo.webp", "image/webp", 415, "UnsupportedMediaType"),
        ("animation.gif", "image/gif", 415, "UnsupportedMediaType"),
        ("photo.txt", "text/plain", 415, "UnsupportedMediaType"),
    ],
)
def test_sources_strip_does_not_take(http, sources, name, content_type, status, code):
    data = {
        "not-an-image.jpg": b"GIF89a but not really, and no JPEG either\n" * 20,
        "photo.webp": magick("-size", "40x30", "xc:red", "webp:-"),
        "animation.gif": animated_gif(40, 30, ["red", "blue"]),
        "photo.txt": sources["png"].data,
    }[name]
    path = upload(http, f"strip-refused-{uuid.uuid4().hex[:8]}/{name}", data, content_type)
    assert_s3_error(http.get(f"{path}!strip"), status, code)
    assert strip_reply(http, sources["png"], "strip") == stripped(sources["png"].data, keep_icc=True)


# A 200 MB PNG


ROW_WIDTH = 4000
ROWS_PER_BLOCK = 5
BLOCKS_PER_IDAT = 16
IDAT_COUNT = 210  # 210 × 16 × 5 rows of 12001 bytes: about 201 MB


def big_png_chunks(icc: bytes) -> Iterator[bytes]:
    """A 4000 × 16800 RGB PNG of about 201 MB, chunk by chunk, without compressing anything: its zlib stream is
    stored (uncompressed) deflate blocks of five rows each, sixteen blocks to an IDAT, so every IDAT is the same.
    Metadata chunks come before and after the image data."""
    row = b"\x00" + bytes((index * 7) & 0xFF for index in range(ROW_WIDTH * 3))
    block = row * ROWS_PER_BLOCK
    stored = b"\x00" + struct.pack("<HH", len(block), 0xFFFF ^ len(block)) + block
    idat = png_chunk(b"IDAT", stored * BLOCKS_PER_IDAT)
    height = ROWS_PER_BLOCK * BLOCKS_PER_IDAT * IDAT_COUNT
    adler = 1
    for _ in range(BLOCKS_PER_IDAT * IDAT_COUNT):
        adler = zlib.adler32(block, adler)
    yield b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", ROW_WIDTH, height, 8, 2, 0, 0, 0))
    yield png_chunk(b"iCCP", b"sRGB\0\0" + zlib.compress(icc))
    yield png_chunk(b"tEXt", b"Comment\0a big picture")
    yield png_chunk(b"zTXt", b"Description\0\0" + zlib.compress(b"big " * 100))
    yield png_chunk(b"iTXt", b"Title\0\0\0\0\0A big title")
    yield png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 5, 6, 7, 8, 9))
    exif = bytes.fromhex("4d4d002a00000008000101100002000000040042696700000000")  # IFD0: Model "Big"
    yield png_chunk(b"eXIf", exif)
    yield png_chunk(b"IDAT", b"\x78\x01")  # the zlib header
    for _ in range(IDAT_COUNT):
        yield idat
    yield png_chunk(b"IDAT", b"\x01\x00\x00\xff\xff" + struct.pack(">I", adler))  # the last, empty block
    yield png_chunk(b"tEXt", b"Comment\0after the image data")
    yield png_chunk(b"IEND", b"")


def test_200_mb_png_streams_in_flat_memory(own_gateway):
    gateway = own_gateway()
    http = GatewayHTTP(gateway.host, gateway.port)
    icc = icc_profile()
    file = gateway.log_path.parent / "storage" / PUBLIC_BUCKET / "big" / "picture.png"
    file.parent.mkdir(parents=True)
    expected, expected_length = hashlib.sha256(), 0
    with open(file, "wb") as out:
        for chunk in big_png_chunks(icc):
            out.write(chunk)
            kind = chunk[12:16].decode("latin-1") if chunk.startswith(b"\x89PNG") else chunk[4:8].decode("latin-1")
            if kind not in PNG_DROPPED:
                expected.update(chunk)
                expected_length += len(chunk)
    size = file.stat().st_size
    assert size >= 200_000_000, size
    path = object_path(PUBLIC_BUCKET, "big/picture.png")

    small = upload(http, "warm-up.png", with_png_chunks(magick("-size", "64x48", "xc:red", "png:-")), "image/png")
    for _ in range(2):
        assert http.get(f"{small}!strip").status == 200
    baseline = gateway.status_kib("VmRSS")
    gateway.reset_peak_memory()

    received = hashlib.sha256()
    length = 0
    with http.exchange("GET", f"{path}!strip", timeout=TRANSFER_TIMEOUT) as response:
        assert response.status == 200, response.read(500)
        assert response.headers["Content-Type"] == "image/png"
        while block := response.read(MIB):
            received.update(block)
            length += len(block)
    growth = gateway.status_kib("VmHWM") - baseline
    assert length == expected_length < size, f"{size} bytes in, {length} out, {expected_length} expected"
    assert received.hexdigest() == expected.hexdigest(), "the answer is the PNG minus its text, time and EXIF chunks"
    assert growth < MEMORY_GROWTH_LIMIT_KIB, f"stripping a {size}-byte PNG grew the gateway by {growth} KiB"
