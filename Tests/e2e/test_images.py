"""Image transforms through suffix URLs (SPEC §1.2, §2): resize in every fit mode, EXIF auto-orientation, crop,
rotate, grayscale, blur, sharpen, output formats and quality, metadata stripping, chained steps, and the headers of a
transformed object (strong stable ETag, 304, Vary: Accept for format:auto, Range ignored, HEAD = GET).

Sources are made with ImageMagick at test time, PUT into the public bucket of the shared gateway and read back
anonymously; the answers are checked with identify, exiftool and their decoded pixels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from images import (
    BLUE,
    CONTENT_TYPES,
    CORNER_COLOURS,
    LIME,
    RED,
    YELLOW,
    avif_supported,
    bands,
    close_to,
    colorspace,
    dimensions,
    exif_tags,
    exiftool_write,
    gradient,
    image_format,
    is_grey,
    magick,
    oriented_quadrants,
    photo,
    quadrants,
    raster,
    solid,
    tag_values,
    upload,
)
from s3_http import GatewayHTTP, Reply, assert_s3_error

LANDSCAPE = (1200, 800)
PORTRAIT = (800, 1200)
CAMERA_MAKE = "RefractTestCam"
CAMERA_MODEL = "Model E2E"
BAND_COLOURS = ["#ff0000", "#00ff00", "#0000ff"]


@dataclass(frozen=True)
class Sources:
    """Paths of the source images, to which a `!suffix` is appended."""

    landscape: str  # 1200×800 JPEG gradient
    portrait: str  # 800×1200 JPEG gradient
    landscape_blue: str  # 1200×800 solid blue PNG
    portrait_blue: str  # 800×1200 solid blue PNG
    columns: str  # 1200×400 PNG: red | lime | blue columns
    rows: str  # 400×1200 PNG: red / lime / blue rows
    quadrants: str  # 300×200 PNG: red, lime / blue, yellow
    square_quadrants: str  # 400×400 PNG, the same quadrants
    photo: str  # 600×400 JPEG plasma with camera EXIF and GPS
    soft_quadrants: str  # 300×200 PNG quadrants, blurred


@pytest.fixture(scope="module")
def sources(http: GatewayHTTP) -> Sources:
    prefix = f"images-{uuid.uuid4().hex[:8]}/"
    camera = exiftool_write(
        photo(600, 400),
        f"-Make={CAMERA_MAKE}",
        f"-Model={CAMERA_MODEL}",
        "-DateTimeOriginal=2024:05:01 12:00:00",
        "-GPSLatitude=48.8583",
        "-GPSLatitudeRef=N",
        "-GPSLongitude=2.2945",
        "-GPSLongitudeRef=E",
    )
    made = {
        "landscape": (gradient(*LANDSCAPE), "image/jpeg", "jpg"),
        "portrait": (gradient(*PORTRAIT), "image/jpeg", "jpg"),
        "landscape_blue": (solid(*LANDSCAPE, "#0000ff"), "image/png", "png"),
        "portrait_blue": (solid(*PORTRAIT, "#0000ff"), "image/png", "png"),
        "columns": (bands(1200, 400, BAND_COLOURS, vertical=True), "image/png", "png"),
        "rows": (bands(400, 1200, BAND_COLOURS, vertical=False), "image/png", "png"),
        "quadrants": (quadrants(300, 200), "image/png", "png"),
        "square_quadrants": (quadrants(400, 400), "image/png", "png"),
        "photo": (camera, "image/jpeg", "jpg"),
        "soft_quadrants": (quadrants(300, 200, extra=("-blur", "0x1.5")), "image/png", "png"),
    }
    return Sources(
        **{
            name: upload(http, f"{prefix}{name}.{extension}", data, content_type)
            for name, (data, content_type, extension) in made.items()
        }
    )


def transformed(http: GatewayHTTP, path: str, suffix: str, method: str = "GET", **headers: str) -> Reply:
    """An anonymous GET (or HEAD) of `path!suffix`, with headers given as keyword arguments (if_none_match=...)."""
    return http.request(
        method, f"{path}!{suffix}", headers={name.replace("_", "-"): value for name, value in headers.items()}
    )


def image_reply(http: GatewayHTTP, path: str, suffix: str, expected_format: str, **headers: str) -> bytes:
    """The body of a 200 answer to `path!suffix`, checked to be `expected_format` by its magic bytes and by its
    Content-Type."""
    reply = transformed(http, path, suffix, **headers)
    assert reply.status == 200, f"GET {path}!{suffix} answered {reply.status}: {reply.body[:500]!r}"
    assert image_format(reply.body) == expected_format, f"{suffix}: first bytes {reply.body[:16]!r}"
    assert reply.header("Content-Type") == CONTENT_TYPES[expected_format]
    return reply.body


def vary_names(reply: Reply) -> set[str]:
    return {name.strip().lower() for value in reply.headers.get_all("Vary") or [] for name in value.split(",")}


def assert_corners(body: bytes, expected: dict[str, tuple[int, int, int]], context: str) -> None:
    corners = raster(body).corners()
    wrong = {name: corners[name] for name, colour in expected.items() if not close_to(corners[name], colour)}
    assert not wrong, f"{context}: corners {corners}, expected {expected}"


# resize: fit modes, one dimension, upscale

FIT_CASES = [
    # suffix, result for the 1200×800 source, result for the 800×1200 source
    ("resize:w=300,h=300", (300, 200), (200, 300)),
    ("resize:w=300,h=300,fit=inside", (300, 200), (200, 300)),
    ("resize:w=300,h=300,fit=cover", (300, 300), (300, 300)),
    ("resize:w=300,h=300,fit=fill", (300, 300), (300, 300)),
    ("resize:w=300,h=300,fit=contain", (300, 300), (300, 300)),
    ("resize:w=300,h=120,fit=inside", (180, 120), (80, 120)),
    ("resize:w=300,h=120,fit=cover", (300, 120), (300, 120)),
    ("resize:w=300,h=120,fit=fill", (300, 120), (300, 120)),
    ("resize:w=300,h=120,fit=contain", (300, 120), (300, 120)),
    ("resize:w=300", (300, 200), (300, 450)),
    ("resize:300", (300, 200), (300, 450)),
    ("resize:h=300", (450, 300), (200, 300)),
    ("resize:w=300,fit=inside", (300, 200), (300, 450)),
    ("resize:h=300,fit=inside", (450, 300), (200, 300)),
    # Without upscale no pixel is enlarged: inside keeps the source size, contain pads it to the box, cover and fill
    # shrink the box (aspect ratio kept) until it fits in the source.
    ("resize:w=2400", LANDSCAPE, PORTRAIT),
    ("resize:w=2400,upscale=false", LANDSCAPE, PORTRAIT),
    ("resize:h=2400", LANDSCAPE, PORTRAIT),
    ("resize:w=3000,h=3000", LANDSCAPE, PORTRAIT),
    ("resize:w=1500,h=1500,fit=cover", (800, 800), (800, 800)),
    ("resize:w=1500,h=1000,fit=fill", LANDSCAPE, (800, 533)),
    ("resize:w=1500,h=1500,fit=contain", (1500, 1500), (1500, 1500)),
    ("resize:w=2400,upscale=true", (2400, 1600), (2400, 3600)),
    ("resize:h=1800,upscale=true", (2700, 1800), (1200, 1800)),
    ("resize:w=3000,h=3000,upscale=true", (3000, 2000), (2000, 3000)),
    ("resize:w=1500,h=1500,fit=cover,upscale=true", (1500, 1500), (1500, 1500)),
    ("resize:w=1500,h=1500,fit=contain,upscale=true", (1500, 1500), (1500, 1500)),
    ("resize:w=1500,h=1000,fit=fill,upscale=true", (1500, 1000), (1500, 1000)),
]


@pytest.mark.parametrize(("suffix", "landscape_size", "portrait_size"), FIT_CASES)
def test_resize_dimensions(http, sources, suffix, landscape_size, portrait_size):
    for path, expected in ((sources.landscape, landscape_size), (sources.portrait, portrait_size)):
        body = image_reply(http, path, suffix, "jpeg")
        assert dimensions(body) == expected, f"{path}!{suffix}"


@pytest.mark.parametrize("fit", ["cover", "fill", "contain"])
@pytest.mark.parametrize("side", ["w", "h"])
def test_box_fits_need_both_sides(http, sources, fit, side):
    """cover, fill and contain are about a box: with one side only there is none (decision in ResizeTransform)."""
    assert_s3_error(transformed(http, sources.landscape, f"resize:{side}=300,fit={fit}"), 400, "InvalidTransform")


def test_contain_without_upscale_centres_the_source_at_its_size(http, sources):
    picture = raster(image_reply(http, sources.landscape_blue, "resize:w=1500,h=1500,fit=contain,bg=ff0000", "png"))
    assert (picture.width, picture.height) == (1500, 1500)
    assert close_to(picture.pixel(140, 750), RED, 8) and close_to(picture.pixel(160, 750), BLUE, 8)
    assert close_to(picture.pixel(750, 340), RED, 8) and close_to(picture.pixel(750, 360), BLUE, 8)


@pytest.mark.parametrize(
    ("source", "gravity", "colour"),
    [
        ("columns", None, LIME),
        ("columns", "center", LIME),
        ("columns", "west", RED),
        ("columns", "east", BLUE),
        ("columns", "northwest", RED),
        ("columns", "southeast", BLUE),
        ("columns", "north", LIME),
        ("rows", None, LIME),
        ("rows", "north", RED),
        ("rows", "south", BLUE),
        ("rows", "northeast", RED),
        ("rows", "southwest", BLUE),
        ("rows", "west", LIME),
    ],
)
def test_cover_gravity_picks_the_region(http, sources, source, gravity, colour):
    suffix = "resize:w=100,h=100,fit=cover" + (f",gravity={gravity}" if gravity else "")
    body = image_reply(http, getattr(sources, source), suffix, "png")
    picture = raster(body)
    assert (picture.width, picture.height) == (100, 100)
    off = [sample for sample in picture.samples(8) if not close_to(sample, colour, 16)]
    assert not off, f"{source}!{suffix}: expected only {colour}, found {off[:5]}"


@pytest.mark.parametrize(
    ("source", "padding", "inside"),
    [
        # 1200×800 in 300×300: 300×200 centred, 50 rows of padding above and below.
        ("landscape_blue", [(0.5, 0.05), (0.5, 0.95), (0.02, 0.1)], [(0.5, 0.5), (0.5, 0.2), (0.02, 0.5)]),
        # 800×1200 in 300×300: 200×300 centred, 50 columns of padding left and right.
        ("portrait_blue", [(0.05, 0.5), (0.95, 0.5), (0.1, 0.02)], [(0.5, 0.5), (0.2, 0.5), (0.5, 0.02)]),
    ],
)
def test_contain_pads_with_bg(http, sources, source, padding, inside):
    body = image_reply(http, getattr(sources, source), "resize:w=300,h=300,fit=contain,bg=ff0000", "png")
    picture = raster(body)
    assert (picture.width, picture.height) == (300, 300)
    for point in padding:
        assert close_to(picture.at(*point), RED, 8), f"padding at {point} is {picture.at(*point)}"
    for point in inside:
        assert close_to(picture.at(*point), BLUE, 8), f"picture at {point} is {picture.at(*point)}"


# EXIF orientation


@pytest.fixture(scope="module")
def oriented(http: GatewayHTTP) -> dict[int, str]:
    """The 300×200 quadrants stored in each of the 8 EXIF orientations, each showing upright when oriented."""
    prefix = f"oriented-{uuid.uuid4().hex[:8]}/"
    paths = {}
    for orientation in range(1, 9):
        data = oriented_quadrants(300, 200, orientation)
        assert tag_values(exif_tags(data), "Orientation") == [orientation]
        upright = magick("-", "-auto-orient", "png:-", stdin=data)
        assert_corners(upright, CORNER_COLOURS, f"fixture for orientation {orientation} (ImageMagick -auto-orient)")
        paths[orientation] = upload(http, f"{prefix}orientation-{orientation}.jpg", data, "image/jpeg")
    return paths


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_comes_out_upright(http, oriented, orientation):
    body = image_reply(http, oriented[orientation], "resize:w=150", "jpeg")
    assert dimensions(body) == (150, 100)
    assert_corners(body, CORNER_COLOURS, f"orientation {orientation}")
    assert tag_values(exif_tags(body), "Orientation") in ([], [1])


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_kept_metadata_does_not_rotate_twice(http, oriented, orientation):
    """With strip=false the pixels are already upright, so an Orientation tag kept beside them must say 1."""
    body = image_reply(http, oriented[orientation], "resize:w=150,strip=false", "jpeg")
    assert dimensions(body) == (150, 100)
    assert_corners(body, CORNER_COLOURS, f"orientation {orientation}, strip=false")
    assert tag_values(exif_tags(body), "Orientation") in ([], [1])


# Formats and quality


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "gif", "avif"])
def test_output_format(http, sources, fmt):
    if fmt == "avif" and not avif_supported():
        pytest.skip("`refract transforms` does not list avif")
    body = image_reply(http, sources.quadrants, f"format:{fmt}", fmt)
    assert dimensions(body) == (300, 200)
    assert_corners(body, CORNER_COLOURS, f"format:{fmt}")
    assert image_reply(http, sources.quadrants, f"format:type={fmt}", fmt) == body


@pytest.mark.parametrize(("fmt", "steps"), [("jpeg", ""), ("webp", "format:webp!")])
def test_quality_changes_the_size(http, sources, fmt, steps):
    low = image_reply(http, sources.photo, f"{steps}quality:20", fmt)
    default = image_reply(http, sources.photo, f"{steps}resize:w=600", fmt)
    high = image_reply(http, sources.photo, f"{steps}quality:95", fmt)
    assert image_reply(http, sources.photo, f"{steps}quality:q=20", fmt) == low
    assert len(low) < len(default) < len(high), (len(low), len(default), len(high))
    assert dimensions(low) == dimensions(high) == (600, 400)


def test_format_is_read_from_the_bytes_not_the_name(http, sources):
    """A PNG stored as `.jpg` with Content-Type image/jpeg is decoded as the PNG it is, and stays PNG."""
    key = f"disguised-{uuid.uuid4().hex[:8]}/really-a-png.jpg"
    path = upload(http, key, quadrants(300, 200), "image/jpeg")
    body = image_reply(http, path, "resize:w=150", "png")
    assert dimensions(body) == (150, 100)
    assert_corners(body, CORNER_COLOURS, "PNG named .jpg")


def chroma_subsampling(data: bytes) -> str:
    return magick("-", "-format", "%[jpeg:sampling-factor]", "info:", stdin=data).decode().strip()


@pytest.mark.parametrize(("suffix", "expected"), [("resize:w=100", "2x2,1x1,1x1"), ("resize:w=100!quality:95", None)])
def test_jpeg_output_subsamples_chroma_below_quality_90(http, suffix, expected):
    """A 4:4:4 source (saved at quality 95) gives 4:2:0 thumbnails at the default quality, as web encoders do."""
    source = photo(400, 300, quality=95)
    assert chroma_subsampling(source) == "1x1,1x1,1x1"
    path = upload(http, f"chroma-{uuid.uuid4().hex[:8]}/photo.jpg", source, "image/jpeg")
    body = image_reply(http, path, suffix, "jpeg")
    assert chroma_subsampling(body) == (expected or chroma_subsampling(source))


def test_cmyk_source_comes_out_srgb(http):
    cmyk = magick("-size", "200x100", "xc:#ff0000", "-colorspace", "CMYK", "-quality", "95", "jpeg:-")
    assert colorspace(cmyk) == "CMYK"
    path = upload(http, f"cmyk-{uuid.uuid4().hex[:8]}/red.jpg", cmyk, "image/jpeg")
    body = image_reply(http, path, "resize:w=100", "jpeg")
    assert colorspace(body) == "sRGB"
    assert close_to(raster(body).at(0.5, 0.5), RED, 16)


@pytest.mark.parametrize(
    ("suffix", "backdrop"), [("format:jpeg", (255, 255, 255)), ("resize:w=40,bg=000000!format:jpeg", (0, 0, 0))]
)
def test_transparency_in_jpeg_is_laid_over_bg(http, suffix, backdrop):
    """Left half red, right half transparent: JPEG has no alpha, so `bg` (white by default) shows through."""
    half = magick("-size", "40x40", "xc:none", "-fill", "#ff0000", "-draw", "rectangle 0,0 19,39", "png32:-")
    path = upload(http, f"alpha-{uuid.uuid4().hex[:8]}/half.png", half, "image/png")
    picture = raster(image_reply(http, path, suffix, "jpeg"))
    assert close_to(picture.at(0.25, 0.5), RED, 16) and close_to(picture.at(0.75, 0.5), backdrop, 16)


def test_output_never_exceeds_max_dimension(http):
    """max_dimension (8192 by default) bounds every output, also one no step resizes."""
    path = upload(http, f"wide-{uuid.uuid4().hex[:8]}/wide.jpg", gradient(9000, 90), "image/jpeg")
    assert dimensions(image_reply(http, path, "grayscale", "jpeg")) == (8192, 82)


# Operations


def test_grayscale(http, sources):
    assert not all(is_grey(sample, 30) for sample in raster(photo(600, 400)).samples()), "the source is colourful"
    body = image_reply(http, sources.photo, "grayscale", "jpeg")
    assert dimensions(body) == (600, 400)
    colourful = [sample for sample in raster(body).samples() if not is_grey(sample)]
    assert not colourful, f"grayscale output has colours: {colourful[:5]}"


@pytest.mark.parametrize(
    ("suffix", "size", "corners"),
    [
        ("crop:x=150,y=150,w=100,h=100", (100, 100), CORNER_COLOURS),
        ("crop:x=0,y=0,w=200,h=200", (200, 200), dict.fromkeys(CORNER_COLOURS, RED)),
        ("crop:x=250,y=220,w=150,h=180", (150, 180), dict.fromkeys(CORNER_COLOURS, YELLOW)),
        # 10 rows above the middle, 10 below: the corners at a tenth of the height are still in their quadrants.
        ("crop:x=0,y=190,w=400,h=20", (400, 20), CORNER_COLOURS),
    ],
)
def test_crop_gives_the_exact_box(http, sources, suffix, size, corners):
    body = image_reply(http, sources.square_quadrants, suffix, "png")
    assert dimensions(body) == size
    assert_corners(body, corners, suffix)


@pytest.mark.parametrize(
    ("suffix", "size", "corners"),
    [
        # Clockwise, as in CSS, sharp and imgproxy: the bottom-left corner comes up to the top left.
        ("rotate:90", (200, 300), {"top_left": BLUE, "top_right": RED, "bottom_left": YELLOW, "bottom_right": LIME}),
        (
            "rotate:deg=90",
            (200, 300),
            {"top_left": BLUE, "top_right": RED, "bottom_left": YELLOW, "bottom_right": LIME},
        ),
        ("rotate:180", (300, 200), {"top_left": YELLOW, "top_right": BLUE, "bottom_left": LIME, "bottom_right": RED}),
        ("rotate:270", (200, 300), {"top_left": LIME, "top_right": YELLOW, "bottom_left": RED, "bottom_right": BLUE}),
    ],
)
def test_rotate(http, sources, suffix, size, corners):
    body = image_reply(http, sources.quadrants, suffix, "png")
    assert dimensions(body) == size
    assert_corners(body, corners, suffix)


def test_blur_mixes_colours_across_an_edge(http, sources):
    body = image_reply(http, sources.quadrants, "blur:sigma=5", "png")
    picture = raster(body)
    assert (picture.width, picture.height) == (300, 200)
    red, lime = picture.pixel(148, 50), picture.pixel(151, 50)  # either side of the red | lime edge
    assert 30 < red[1] < 225 and 30 < lime[0] < 225, f"the edge stayed sharp: {red} | {lime}"
    assert close_to(picture.pixel(40, 50), RED, 8), "far from any edge the colour stays"


def test_sharpen_steepens_an_edge(http, sources):
    """Across the soft red | lime edge (x = 150) green rises: sharpening makes the dark side darker and the bright side
    brighter."""
    soft = raster(http.get(sources.soft_quadrants).body)
    sharpened_body = image_reply(http, sources.soft_quadrants, "sharpen:sigma=1", "png")
    sharpened = raster(sharpened_body)
    assert (sharpened.width, sharpened.height) == (300, 200)
    before = [soft.pixel(x, 50)[1] for x in range(144, 156)]
    after = [sharpened.pixel(x, 50)[1] for x in range(144, 156)]
    assert after[4] < before[4] - 5 and after[7] > before[7] + 5, f"green across the edge: {before} -> {after}"
    assert close_to(sharpened.pixel(40, 50), RED, 8), "far from any edge the colour stays"


# Metadata


def test_metadata_is_stripped_by_default(http, sources):
    source_tags = exif_tags(http.get(sources.photo).body)
    assert tag_values(source_tags, "Make") == [CAMERA_MAKE] and tag_values(source_tags, "GPSLatitude"), source_tags
    for suffix in ("resize:w=300", "quality:95", "grayscale"):
        tags = exif_tags(image_reply(http, sources.photo, suffix, "jpeg"))
        for name in ("Make", "Model", "DateTimeOriginal", "GPSLatitude", "GPSLongitude"):
            assert not tag_values(tags, name), f"{suffix}: {name} kept: {tags}"
        assert not [key for key in tags if key.startswith("GPS:")], f"{suffix}: {tags}"


def test_metadata_is_kept_with_strip_false(http, sources):
    body = image_reply(http, sources.photo, "resize:w=300,strip=false", "jpeg")
    assert dimensions(body) == (300, 200)
    tags = exif_tags(body)
    assert tag_values(tags, "Make") == [CAMERA_MAKE], tags
    assert tag_values(tags, "Model") == [CAMERA_MODEL], tags
    assert tag_values(tags, "GPSLatitude"), tags


# Chains


def test_adjacent_steps_chain(http, sources):
    body = image_reply(http, sources.photo, "resize:w=300!grayscale!format:png", "png")
    assert dimensions(body) == (300, 200)
    colourful = [sample for sample in raster(body).samples() if not is_grey(sample)]
    assert not colourful, colourful[:5]
    rotated = image_reply(http, sources.quadrants, "crop:x=0,y=0,w=150,h=200!rotate:90!format:webp", "webp")
    assert dimensions(rotated) == (200, 150)


# Headers: ETag, 304, Vary, Range, HEAD


def test_transformed_etag_is_strong_stable_and_conditional(http, sources):
    suffix = "resize:w=300"
    first = transformed(http, sources.landscape, suffix)
    second = transformed(http, sources.landscape, suffix)
    assert first.status == second.status == 200
    etag = first.header("ETag")
    assert etag and etag.startswith('"') and etag.endswith('"'), f"a strong ETag: {etag!r}"
    assert second.header("ETag") == etag
    assert second.body == first.body, "a strong ETag promises the same bytes"
    assert "accept" not in vary_names(first), "no Vary: Accept without format:auto"
    assert first.header("Cache-Control"), "transformed responses carry Cache-Control"
    assert first.request_id

    source = http.request("HEAD", sources.landscape)
    assert source.status == 200 and source.header("ETag") != etag
    other = transformed(http, sources.landscape, "resize:w=301")
    assert other.status == 200 and other.header("ETag") not in (etag, source.header("ETag"))

    not_modified = transformed(http, sources.landscape, suffix, if_none_match=etag)
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert not_modified.header("ETag") == etag
    assert not_modified.request_id
    stale = transformed(http, sources.landscape, suffix, if_none_match=other.header("ETag"))
    assert (stale.status, stale.body) == (200, first.body)


def test_range_is_ignored_on_a_transformed_get(http, sources):
    full = transformed(http, sources.landscape, "resize:w=300")
    ranged = transformed(http, sources.landscape, "resize:w=300", range="bytes=0-9")
    assert ranged.status == 200
    assert ranged.header("Content-Range") is None
    assert ranged.body == full.body
    assert transformed(http, sources.landscape, "resize:w=300", range="bytes=999999999-").status == 200


@pytest.mark.parametrize(
    ("suffix", "headers"),
    [("resize:w=300", {}), ("resize:w=300!format:auto", {"accept": "image/webp,*/*"}), ("grayscale", {})],
)
def test_head_of_a_transformed_object_has_the_get_headers(http, sources, suffix, headers):
    got = transformed(http, sources.landscape, suffix, **headers)
    head = transformed(http, sources.landscape, suffix, method="HEAD", **headers)
    assert (got.status, head.status, head.body) == (200, 200, b"")
    for name in ("ETag", "Content-Type", "Cache-Control", "Vary", "Last-Modified"):
        assert head.header(name) == got.header(name), name
    assert head.header("Content-Length") == str(len(got.body))
    conditional = transformed(
        http, sources.landscape, suffix, method="HEAD", if_none_match=got.header("ETag"), **headers
    )
    assert conditional.status == 304


def test_head_of_a_failing_transform_matches_get(http):
    """A transform that fails answers HEAD as it answers GET: same status, and no ETag of an object that does not
    exist (a client holding it would get 304 for it)."""
    path = upload(http, f"broken-{uuid.uuid4().hex[:8]}/broken.jpg", b"not a picture", "image/jpeg")
    got = transformed(http, path, "resize:w=100")
    head = transformed(http, path, "resize:w=100", method="HEAD")
    assert_s3_error(got, 422, "UnprocessableSource")
    assert_s3_error(head, 422, "UnprocessableSource")
    assert got.header("ETag") is None
    assert head.header("ETag") is None, f"HEAD of a failing transform carries ETag {head.header('ETag')}"


def test_format_auto_negotiates_with_accept(http, sources):
    suffix = "resize:w=300!format:auto"
    path = sources.landscape
    webp = transformed(http, path, suffix, accept="image/webp,image/*;q=0.8")
    fallback = transformed(http, path, suffix, accept="text/html,*/*;q=0.8")
    bare = transformed(http, path, suffix)
    avif = transformed(http, path, suffix, accept="image/avif,image/webp,*/*")
    expected_avif = "avif" if avif_supported() else "webp"

    for reply, fmt in ((webp, "webp"), (fallback, "jpeg"), (bare, "jpeg"), (avif, expected_avif)):
        assert reply.status == 200, reply.body[:300]
        assert image_format(reply.body) == fmt
        assert reply.header("Content-Type") == CONTENT_TYPES[fmt]
        assert "accept" in vary_names(reply), f"{fmt}: Vary {reply.headers.get_all('Vary')}"
        assert dimensions(reply.body) == (300, 200)

    assert webp.header("ETag") != fallback.header("ETag")
    assert fallback.header("ETag") == bare.header("ETag")
    if expected_avif == "avif":
        assert avif.header("ETag") not in (webp.header("ETag"), fallback.header("ETag"))
    again = transformed(http, path, suffix, accept="image/webp,image/*;q=0.8")
    assert (again.header("ETag"), again.body) == (webp.header("ETag"), webp.body)

    cached = transformed(http, path, suffix, accept="image/webp", if_none_match=webp.header("ETag"))
    assert (cached.status, cached.body) == (304, b"")
    assert cached.header("ETag") == webp.header("ETag")
    assert "accept" in vary_names(cached), "a 304 repeats the Vary of its 200"
    not_webp = transformed(http, path, suffix, if_none_match=webp.header("ETag"))
    assert not_webp.status == 200 and image_format(not_webp.body) == "jpeg"
