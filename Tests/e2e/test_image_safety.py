"""Hostile and oversized inputs to the image transforms (SPEC §2, §6): decompression bombs and sources over the limits
are 413 SourceTooLarge before any decoding, bytes that are not a supported raster image are 422 UnprocessableSource
(also ImageMagick's script formats: SVG, MVG, MSL, PostScript, which must never fetch a URL, read, write or delete a
file), a non-image Content-Type is 415, bad suffixes are 400 InvalidTransform, a full queue is 503 SlowDown, and the
gateway keeps answering after each of them."""

from __future__ import annotations

import http.server
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from images import (
    BLUE,
    LIME,
    RED,
    animated_gif,
    close_to,
    dimensions,
    gradient,
    huge_header_png,
    identify,
    image_format,
    jpeg_with_dimensions,
    noise_png,
    photo,
    quadrants,
    raster,
    start_gateway,
    upload,
)
from payloads import random_bytes
from refract_process import RefractProcess
from s3_http import GatewayHTTP, Reply, assert_s3_error

MAX_SOURCE_BYTES = 1 << 20


@pytest.fixture(scope="module")
def safety_gateway(tmp_path_factory) -> Iterator[RefractProcess]:
    process = start_gateway(
        tmp_path_factory.mktemp("image-safety"), image={"max_source_bytes": "1MiB", "max_frames": 2}
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def gateway_http(safety_gateway) -> GatewayHTTP:
    return GatewayHTTP(safety_gateway.host, safety_gateway.port)


@pytest.fixture(scope="module")
def prefix() -> str:
    return f"safety-{uuid.uuid4().hex[:8]}/"


@pytest.fixture(scope="module")
def good_image(gateway_http, prefix) -> str:
    return upload(gateway_http, prefix + "good.jpg", photo(400, 300), "image/jpeg")


def assert_still_serving(gateway_http: GatewayHTTP, good_image: str) -> None:
    """The next good request after a bad one is answered as usual."""
    reply = gateway_http.get(good_image + "!resize:w=200")
    assert reply.status == 200, f"a good request after a bad one answered {reply.status}: {reply.body[:300]!r}"
    assert image_format(reply.body) == "jpeg" and dimensions(reply.body) == (200, 150)


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with a small PNG and records its path: any request at all is a failure here."""

    requests: list[str]
    png = quadrants(10, 10)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that hostile payloads point at: its URL and the paths it was asked for."""
    requests: list[str] = []
    handler = type("Recorder", (RecordingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def bait(tmp_path_factory) -> Path:
    """A folder of files hostile payloads name: one that an `ephemeral:` read would delete, and a real PNG."""
    folder = tmp_path_factory.mktemp("bait")
    (folder / "secret.png").write_bytes(quadrants(10, 10))
    return folder


def hostile_payloads(url: str, bait: Path) -> dict[str, bytes]:
    """Files that ImageMagick would run as scripts if asked to guess their format: each would fetch `url`, or read,
    delete or write a file in `bait`."""
    msl = f"""<?xml version="1.0" encoding="UTF-8"?>
<image>
  <read filename="{bait}/secret.png" />
  <write filename="{bait}/written-by-msl.png" />
</image>
"""
    (bait / "payload.msl").write_text(msl)
    for name in ("ephemeral-mvg.png", "ephemeral-svg.png"):
        (bait / name).write_bytes(quadrants(10, 10))
    return {
        "svg": f"""<?xml version="1.0" standalone="no"?>
<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
  <image xlink:href="{url}/svg.png" x="0" y="0" width="10" height="10" />
  <image xlink:href="ephemeral:{bait}/ephemeral-svg.png" x="0" y="0" width="10" height="10" />
</svg>
""".encode(),
        "mvg-url": f"""push graphic-context
viewbox 0 0 10 10
image over 0,0 0,0 '{url}/mvg.png'
pop graphic-context
""".encode(),
        "mvg-https": b"""push graphic-context
viewbox 0 0 10 10
image over 0,0 0,0 'https://example.com/x.png'
pop graphic-context
""",
        "mvg-local-file": f"""push graphic-context
viewbox 0 0 10 10
image over 0,0 10,10 '{bait}/secret.png'
pop graphic-context
""".encode(),
        "mvg-ephemeral": f"""push graphic-context
viewbox 0 0 10 10
image over 0,0 0,0 'ephemeral:{bait}/ephemeral-mvg.png'
pop graphic-context
""".encode(),
        "mvg-msl": f"""push graphic-context
viewbox 0 0 10 10
image over 0,0 0,0 'msl:{bait}/payload.msl'
pop graphic-context
""".encode(),
        "mvg-text-at-file": f"""push graphic-context
viewbox 0 0 100 100
text 10,10 '@{bait}/secret.png'
pop graphic-context
""".encode(),
        "msl": msl.encode(),
        "postscript": f"""%!PS-Adobe-3.0 EPSF-3.0
%%BoundingBox: 0 0 10 10
({bait}/written-by-postscript) (w) file dup (owned) writestring closefile
newpath 0 0 moveto 10 10 lineto stroke
showpage
""".encode(),
    }


def assert_no_side_effects(requests: list[str], bait: Path) -> None:
    assert requests == [], f"the gateway fetched {requests}"
    assert (bait / "secret.png").exists()
    assert (bait / "ephemeral-mvg.png").exists(), "an ephemeral: read deleted its file"
    assert (bait / "ephemeral-svg.png").exists(), "an ephemeral: read deleted its file"
    assert not (bait / "written-by-msl.png").exists(), "an MSL script ran"
    assert not (bait / "written-by-postscript").exists(), "a PostScript program ran"


# Over the limits


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("bomb.png", lambda: huge_header_png(30000, 30000), "image/png"),
        ("bomb.jpg", lambda: jpeg_with_dimensions(photo(100, 80), 30000, 30000), "image/jpeg"),
        ("wide.png", lambda: huge_header_png(60000, 1000), "image/png"),
    ],
)
def test_decompression_bomb_is_refused_quickly(gateway_http, prefix, good_image, name, make, content_type):
    data = make()
    assert len(data) < 100_000, "a few KB that claim billions of pixels"
    path = upload(gateway_http, prefix + name, data, content_type)
    # Refused from the header: had the pixels been decoded, ImageMagick's resource limits would have failed it
    # with another code.
    reply = gateway_http.get(path + "!resize:w=100")
    assert_s3_error(reply, 413, "SourceTooLarge")
    assert_still_serving(gateway_http, good_image)


def test_source_over_max_source_bytes(gateway_http, prefix, good_image):
    data = noise_png(700, 700, seed=1)
    assert len(data) > MAX_SOURCE_BYTES
    path = upload(gateway_http, prefix + "noise.png", data, "image/png")
    assert_s3_error(gateway_http.get(path + "!resize:w=100"), 413, "SourceTooLarge")
    plain = gateway_http.get(path)
    assert (plain.status, len(plain.body)) == (200, len(data)), "the limit is the transforms', not the bucket's"
    small = upload(gateway_http, prefix + "small-noise.png", noise_png(400, 400, seed=2), "image/png")
    assert dimensions(gateway_http.get(small + "!resize:w=100").body) == (100, 100)
    assert_still_serving(gateway_http, good_image)


# Not an image


def truncated_jpeg() -> bytes:
    data = photo(600, 400)
    return data[: len(data) * 6 // 10]


def truncated_png() -> bytes:
    data = photo(300, 200, fmt="png")
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("truncated.jpg", truncated_jpeg),
        ("truncated-png.jpg", truncated_png),
        ("header-only.jpg", lambda: photo(600, 400)[:300]),
        ("random.jpg", lambda: random_bytes(64 * 1024, "random.jpg")),
        ("empty.jpg", lambda: b""),
        ("text.jpg", lambda: b"just some text, not a picture\n" * 100),
    ],
)
def test_corrupt_source_is_unprocessable(gateway_http, prefix, good_image, name, make):
    path = upload(gateway_http, prefix + name, make(), "image/jpeg")
    assert_s3_error(gateway_http.get(path + "!resize:w=100"), 422, "UnprocessableSource")
    assert_still_serving(gateway_http, good_image)


@pytest.mark.parametrize(
    "payload",
    [
        "svg",
        "mvg-url",
        "mvg-https",
        "mvg-local-file",
        "mvg-ephemeral",
        "mvg-msl",
        "mvg-text-at-file",
        "msl",
        "postscript",
    ],
)
def test_script_formats_are_never_run(gateway_http, prefix, good_image, listener, bait, payload):
    url, requests = listener
    data = hostile_payloads(url, bait)[payload]
    path = upload(gateway_http, f"{prefix}{payload}.jpg", data, "image/jpeg")
    for suffix in ("resize:w=100", "format:png", "grayscale"):
        assert_s3_error(gateway_http.get(f"{path}!{suffix}"), 422, "UnprocessableSource")
    assert_no_side_effects(requests, bait)
    assert_still_serving(gateway_http, good_image)


def test_non_image_content_type_is_unsupported(gateway_http, prefix, good_image):
    path = upload(gateway_http, prefix + "notes.txt", b"a text file\n", "text/plain")
    assert_s3_error(gateway_http.get(path + "!resize:w=100"), 415, "UnsupportedMediaType")
    disguised = upload(gateway_http, prefix + "picture.jpg", photo(100, 80), "text/plain")
    assert_s3_error(gateway_http.get(disguised + "!resize:w=50"), 415, "UnsupportedMediaType")
    assert_still_serving(gateway_http, good_image)


# Bad suffixes


@pytest.mark.parametrize(
    "suffix",
    [
        "!".join(["grayscale"] * 100),
        "!".join(["resize:w=100"] * 100),
        "frobnicate",
        "resize:w=100!frobnicate",
        "resize",
        "resize:w=0",
        "resize:h=0",
        "resize:w=abc",
        "resize:w=-5",
        "resize:w=1.5",
        "resize:w=9000",
        "resize:w=100,h=9000",
        "resize:w=100,bg=zzzzzz",
        "resize:w=100,fit=stretch",
        "resize:w=100,gravity=up",
        "resize:w=100,upscale=maybe",
        "resize:w=100,colour=red",
        "crop:x=0,y=0,w=0,h=10",
        "crop:x=-1,y=0,w=10,h=10",
        "rotate:45",
        "rotate:abc",
        "quality:0",
        "quality:101",
        "quality:abc",
        "format:bmp",
        "format:svg",
        "format:msl",
        "blur:sigma=abc",
        "",
        "resize:w=100!",
    ],
)
def test_bad_suffix_is_invalid_transform(gateway_http, good_image, suffix):
    assert_s3_error(gateway_http.get(f"{good_image}!{suffix}"), 400, "InvalidTransform")


def test_bad_suffix_is_refused_before_the_source_is_read(gateway_http, prefix):
    """The suffix is checked first: a bad one on a missing key is 400, not 404."""
    assert_s3_error(gateway_http.get(f"/photos/{prefix}missing.jpg!resize:w=abc"), 400, "InvalidTransform")
    assert_s3_error(gateway_http.get(f"/photos/{prefix}missing.jpg!resize:w=100"), 404, "NoSuchKey")


# Load


def test_full_queue_is_slow_down_with_retry_after(tmp_path):
    """One worker, no queue: of 16 simultaneous requests for a 4000×3000 image, the ones that find the worker busy
    get 503 SlowDown with Retry-After, every other one its image."""
    process = start_gateway(tmp_path / "gateway", image={"workers": 1, "queue_limit": 0})
    try:
        client = GatewayHTTP(process.host, process.port)
        path = upload(client, "queue/big.jpg", gradient(4000, 3000), "image/jpeg")
        suffix = "resize:w=3000"  # about a second of work in one worker: the other requests arrive within milliseconds
        concurrency = 16
        replies: list[Reply] = []

        def fetch(start: threading.Barrier) -> Reply:
            start.wait()
            return client.get(f"{path}!{suffix}")

        for _ in range(3):  # the first round nearly always overloads one worker; two more make a miss negligible
            start = threading.Barrier(concurrency)
            with ThreadPoolExecutor(concurrency) as pool:
                replies = list(pool.map(fetch, [start] * concurrency))
            if any(reply.status == 503 for reply in replies):
                break
        statuses = sorted(reply.status for reply in replies)
        assert 503 in statuses, f"no request was refused with one worker and no queue: {statuses}"
        assert set(statuses) <= {200, 503}, statuses
        assert 200 in statuses, "the request holding the worker is served"
        for reply in replies:
            if reply.status == 503:
                assert_s3_error(reply, 503, "SlowDown")
                retry_after = reply.header("Retry-After")
                assert retry_after and retry_after.isdigit(), f"Retry-After: {retry_after!r}"
            else:
                assert image_format(reply.body) == "jpeg" and dimensions(reply.body) == (3000, 2250)
        alone = client.get(f"{path}!resize:w=100")
        assert alone.status == 200, "once the burst is over the worker takes requests again"
    finally:
        process.stop()


# Animation


def three_frame_gif() -> bytes:
    return animated_gif(60, 40, ["#ff0000", "#00ff00", "#0000ff"])


def test_animated_gif_keeps_its_frames(http):
    """On the shared gateway (max_frames 256 by default) every frame is resized and the animation stays one."""
    path = upload(http, f"animation-{uuid.uuid4().hex[:8]}/anim.gif", three_frame_gif(), "image/gif")
    reply = http.get(path + "!resize:w=30")
    assert reply.status == 200, reply.body[:300]
    assert image_format(reply.body) == "gif" and reply.header("Content-Type") == "image/gif"
    frames = identify(reply.body)
    colours = [raster(reply.body, index).at(0.5, 0.5) for index in range(len(frames))]
    assert [(frame.width, frame.height) for frame in frames] == [(30, 20)] * 3
    assert all(close_to(colour, expected, 16) for colour, expected in zip(colours, [RED, LIME, BLUE], strict=True))

    still = http.get(path + "!format:png")
    assert still.status == 200 and image_format(still.body) == "png"
    assert [(frame.width, frame.height) for frame in identify(still.body)] == [(60, 40)], "a PNG is the first frame"
    assert close_to(raster(still.body).at(0.5, 0.5), RED, 16)


def test_animation_over_max_frames_gives_its_first_frame(gateway_http, prefix, good_image):
    path = upload(gateway_http, prefix + "anim.gif", three_frame_gif(), "image/gif")
    reply = gateway_http.get(path + "!resize:w=30")
    assert reply.status == 200, reply.body[:300]
    assert image_format(reply.body) == "gif"
    assert [(frame.width, frame.height) for frame in identify(reply.body)] == [(30, 20)]
    assert close_to(raster(reply.body).at(0.5, 0.5), RED, 16)
    assert_still_serving(gateway_http, good_image)
