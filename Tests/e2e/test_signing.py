"""Signed suffix URLs, `refract sign` and presets (SPEC §3): `?exp=UNIX&sig=BASE64URL(HMAC-SHA256(key,
PATH_WITH_SUFFIX + "\\n" + exp))` computed here independently of the gateway; any configured key verifies; a wrong,
expired or tampered URL is 403 AccessDenied; `signing.required` needs a signature on every transformed GET but
leaves plain GETs to their bucket's rules; `only_presets` refuses every suffix but presets; a preset and its
expansion are the same object (same ETag, same bytes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from gateway_config import PUBLIC_BUCKET
from images import dimensions, image_format, photo, start_gateway, upload
from refract_process import RefractProcess, refract_binary
from s3_http import GatewayHTTP, Reply, assert_s3_error, object_path

KEY = "6b1f3c9a0d4e7f21a5c8b3e6d9f0a1b2c4d7e8f90a1b2c3d4e5f60718293a4b5"
ROTATED_KEY = "00112233445566778899aabbccddeeff"
UNKNOWN_KEY = "ffeeddccbbaa99887766554433221100"
THUMB = "resize:w=200,h=200,fit=cover"


def signature(path: str, expiry: int, key_hex: str) -> str:
    mac = hmac.new(bytes.fromhex(key_hex), f"{path}\n{expiry}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def signed_query(path: str, expiry: int, key_hex: str = KEY) -> list[tuple[str, str]]:
    return [("exp", str(expiry)), ("sig", signature(path, expiry, key_hex))]


def in_five_minutes() -> int:
    return int(time.time()) + 300


class Gateway:
    """A gateway of this module's own, its HTTP client, its config file and a photo in its public bucket."""

    def __init__(self, directory: Path, **settings):
        self.process: RefractProcess = start_gateway(directory, **settings)
        self.config = directory / "refract.yml"
        self.http = GatewayHTTP(self.process.host, self.process.port)
        self.photo = upload(self.http, f"signing-{uuid.uuid4().hex[:8]}/cat.jpg", photo(600, 400), "image/jpeg")

    def get(self, path: str, query: list[tuple[str, str]] | None = None, method: str = "GET") -> Reply:
        return self.http.request(method, path, query=query)


@pytest.fixture(scope="module")
def signing(tmp_path_factory) -> Iterator[Gateway]:
    """Two keys (the first signs, both verify), signatures optional, and a preset."""
    gateway = Gateway(
        tmp_path_factory.mktemp("signing"), signing={"keys": [KEY, ROTATED_KEY]}, presets={"thumb": THUMB}
    )
    yield gateway
    gateway.process.stop()


@pytest.fixture(scope="module")
def required(tmp_path_factory) -> Iterator[Gateway]:
    gateway = Gateway(tmp_path_factory.mktemp("signing-required"), signing={"keys": [KEY], "required": True})
    yield gateway
    gateway.process.stop()


@pytest.fixture(scope="module")
def presets_only(tmp_path_factory) -> Iterator[Gateway]:
    gateway = Gateway(tmp_path_factory.mktemp("only-presets"), presets={"thumb": THUMB}, only_presets=True)
    yield gateway
    gateway.process.stop()


def assert_resized(reply: Reply, size: tuple[int, int]) -> None:
    assert reply.status == 200, f"{reply.status}: {reply.body[:500]!r}"
    assert image_format(reply.body) == "jpeg"
    assert dimensions(reply.body) == size


# Signed URLs


def test_signed_url_is_served(signing):
    path = signing.photo + "!resize:w=300"
    assert_resized(signing.get(path, signed_query(path, in_five_minutes())), (300, 200))


def test_any_configured_key_verifies(signing):
    path = signing.photo + "!resize:w=300"
    expiry = in_five_minutes()
    assert_resized(signing.get(path, signed_query(path, expiry, ROTATED_KEY)), (300, 200))
    assert_s3_error(signing.get(path, signed_query(path, expiry, UNKNOWN_KEY)), 403, "AccessDenied")


def test_signature_covers_the_encoded_path(signing):
    """PATH is the path as it goes on the wire: a key with a space is signed with its %20."""
    path = upload(signing.http, f"signing-{uuid.uuid4().hex[:8]}/my cat.jpg", photo(300, 200), "image/jpeg")
    assert "%20" in path
    suffixed = path + "!resize:w=150"
    assert_resized(signing.get(suffixed, signed_query(suffixed, in_five_minutes())), (150, 100))


def flip_last_character(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def test_wrong_expired_or_tampered_urls_are_denied(signing):
    path = signing.photo + "!resize:w=300"
    expiry = in_five_minutes()
    good = signature(path, expiry, KEY)
    past = int(time.time()) - 10
    refused = {
        "wrong signature": (path, [("exp", str(expiry)), ("sig", flip_last_character(good))]),
        "signature of another path": (path, signed_query(signing.photo + "!resize:w=400", expiry)),
        "tampered suffix": (signing.photo + "!resize:w=301", [("exp", str(expiry)), ("sig", good)]),
        "suffix added": (path + "!grayscale", [("exp", str(expiry)), ("sig", good)]),
        "tampered expiry": (path, [("exp", str(expiry + 3600)), ("sig", good)]),
        "expired": (path, signed_query(path, past)),
        "signature cut short": (path, [("exp", str(expiry)), ("sig", good[:-2])]),
        "no expiry": (path, [("sig", good)]),
        "no signature": (path, [("exp", str(expiry))]),
        "expiry not a number": (path, [("exp", "tomorrow"), ("sig", good)]),
        "empty signature": (path, [("exp", str(expiry)), ("sig", "")]),
    }
    for case, (requested, query) in refused.items():
        reply = signing.get(requested, query)
        assert reply.status == 403, f"{case}: {reply.status} {reply.body[:300]!r}"
        assert_s3_error(reply, 403, "AccessDenied")
    assert_resized(signing.get(path, [("exp", str(expiry)), ("sig", good)]), (300, 200))


def test_unsigned_transform_is_allowed_when_not_required(signing):
    assert_resized(signing.get(signing.photo + "!resize:w=300"), (300, 200))


def test_required_signature(required):
    path = required.photo + "!resize:w=300"
    assert_s3_error(required.get(path), 403, "AccessDenied")
    assert_s3_error(required.get(path, method="HEAD"), 403, "AccessDenied")
    assert_resized(required.get(path, signed_query(path, in_five_minutes())), (300, 200))
    signed_head = required.get(path, signed_query(path, in_five_minutes()), method="HEAD")
    assert (signed_head.status, signed_head.header("Content-Type")) == (200, "image/jpeg")
    assert_s3_error(required.get(path, signed_query(path, int(time.time()) - 1)), 403, "AccessDenied")

    plain = required.get(required.photo)
    assert plain.status == 200 and image_format(plain.body) == "jpeg", "plain GETs keep the public bucket's rule"
    assert dimensions(plain.body) == (600, 400)
    assert required.get(required.photo, method="HEAD").status == 200
    listing = required.get(f"/{PUBLIC_BUCKET}", [("list-type", "2")])
    assert listing.status == 200


# refract sign


def refract_sign(config: Path, path: str, ttl: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(refract_binary()), "sign", path, "--ttl", ttl, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=config.parent,
    )


def signed_by_cli(config: Path, path: str, ttl: str) -> tuple[str, int, str]:
    """Runs `refract sign` and returns the path, exp and sig it printed."""
    completed = refract_sign(config, path, ttl)
    assert completed.returncode == 0, f"refract sign exited {completed.returncode}: {completed.stderr}"
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 1, f"refract sign prints the signed path, one line: {completed.stdout!r}"
    printed_path, _, query = lines[0].partition("?")
    fields = dict(parse_qsl(query, strict_parsing=True))
    assert set(fields) == {"exp", "sig"}, lines[0]
    return printed_path, int(fields["exp"]), fields["sig"]


def test_refract_sign_prints_a_url_the_gateway_accepts(signing):
    path = signing.photo + "!resize:w=300"
    before = int(time.time())
    printed_path, expiry, sig = signed_by_cli(signing.config, path, "1h")
    after = int(time.time())
    assert printed_path == path
    assert before + 3600 <= expiry <= after + 3601
    assert sig == signature(path, expiry, KEY), "signed with the first key, as computed from SPEC §3"
    assert_resized(signing.get(path, [("exp", str(expiry)), ("sig", sig)]), (300, 200))


def test_refract_sign_for_a_required_gateway(required):
    path = required.photo + "!resize:w=120"
    printed_path, expiry, sig = signed_by_cli(required.config, path, "10m")
    assert printed_path == path
    assert_resized(required.get(path, [("exp", str(expiry)), ("sig", sig)]), (120, 80))


@pytest.mark.parametrize(("ttl", "seconds"), [("45s", 45), ("5m", 300), ("2h", 7200), ("1d", 86400), ("7d", 604800)])
def test_refract_sign_ttl_units(signing, ttl, seconds):
    path = object_path(PUBLIC_BUCKET, "any/key.jpg") + "!resize:w=100"
    before = int(time.time())
    _, expiry, sig = signed_by_cli(signing.config, path, ttl)
    after = int(time.time())
    assert before + seconds <= expiry <= after + seconds + 1, (ttl, expiry - before)
    assert sig == signature(path, expiry, KEY)


@pytest.mark.parametrize("ttl", ["5y", "abc", "-1h", ""])
def test_refract_sign_refuses_a_bad_ttl(signing, ttl):
    completed = refract_sign(signing.config, object_path(PUBLIC_BUCKET, "a.jpg") + "!resize:w=100", ttl)
    assert completed.returncode != 0, f"refract sign took --ttl {ttl!r}: {completed.stdout}"
    assert "?exp=" not in completed.stdout


# Presets


def test_preset_and_its_expansion_are_the_same_object(signing):
    preset = signing.get(signing.photo + "!thumb")
    expanded = signing.get(signing.photo + "!" + THUMB)
    assert_resized(preset, (200, 200))
    assert_resized(expanded, (200, 200))
    assert preset.header("ETag") == expanded.header("ETag")
    assert preset.body == expanded.body
    chained = signing.get(signing.photo + "!thumb!format:png")
    assert chained.status == 200 and image_format(chained.body) == "png"
    assert dimensions(chained.body) == (200, 200)
    assert chained.header("ETag") == signing.get(signing.photo + f"!{THUMB}!format:png").header("ETag")


def test_only_presets(presets_only):
    assert_resized(presets_only.get(presets_only.photo + "!thumb"), (200, 200))
    for suffix in ("resize:w=300", THUMB, "thumb!format:png", "grayscale", "nosuchpreset"):
        assert_s3_error(presets_only.get(f"{presets_only.photo}!{suffix}"), 400, "InvalidTransform")
    plain = presets_only.get(presets_only.photo)
    assert plain.status == 200 and dimensions(plain.body) == (600, 400)
