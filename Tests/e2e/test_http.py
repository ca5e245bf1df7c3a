"""HTTP-level behaviour real clients depend on: Expect: 100-continue, clients that vanish mid-download, and
requests that are not valid HTTP at all."""

from __future__ import annotations

import hashlib
import os
import re
import time

import pytest

from downloads import RawDownload
from gateway_config import ADMIN, PRIVATE_BUCKET, PUBLIC_BUCKET
from payloads import MIB, random_bytes
from s3_http import GatewayHTTP, assert_s3_error, object_path, parse_http_response
from sigv4 import Scope, sign_headers

pytestmark = pytest.mark.both_stores


def test_expect_100_continue_put_with_curl(http: GatewayHTTP, curl, tmp_path, key_prefix):
    body = random_bytes(2 * MIB, key_prefix)
    source = tmp_path / "body.bin"
    source.write_bytes(body)
    path = object_path(PRIVATE_BUCKET, key_prefix + "continued.bin")
    signed, _ = sign_headers(
        "PUT", path, [], {"host": http.authority}, hashlib.sha256(body).hexdigest(), ADMIN, Scope.now()
    )
    header_options = [option for name, value in signed.items() for option in ("-H", f"{name}: {value}")]

    result = curl(
        path, "-v", "-T", str(source), "-H", "Expect: 100-continue", "--expect100-timeout", "30", *header_options
    )
    trace = result.stderr.decode(errors="replace")
    assert "< HTTP/1.1 100 Continue" in trace, trace
    assert "< HTTP/1.1 200" in trace, trace
    assert trace.index("< HTTP/1.1 100 Continue") < trace.index("< HTTP/1.1 200")
    assert http.get(path, credentials=ADMIN).body == body


def held_paths(gateway, path: str) -> bool:
    return os.path.realpath(path) in gateway.open_paths()


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.filesystem_only
def test_client_disconnect_mid_download_releases_the_file(gateway, http: GatewayHTTP, storage_root, key_prefix):
    key = key_prefix + "abandoned.bin"
    http.request("PUT", object_path(PUBLIC_BUCKET, key), body=random_bytes(64 * MIB, key), credentials=ADMIN)
    file = storage_root / PUBLIC_BUCKET / key

    for _ in range(3):
        download = RawDownload(gateway.host, gateway.port, object_path(PUBLIC_BUCKET, key))
        assert download.status == 200
        download.read_at_least(MIB)
        assert wait_until(lambda: held_paths(gateway, file), 5), "the gateway holds the file while streaming it"
        download.reset()
        assert wait_until(lambda: not held_paths(gateway, file), 10), (
            f"the gateway still holds {file} after the client went away: {gateway.open_paths()}"
        )
    assert http.get("/_refract/health").status == 200


BAD_INPUTS = {
    "binary-garbage": b"\x00\x01\x02garbage\xff\r\n\r\n",
    "no-version": b"GET /\r\n\r\n",
    "http2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "header-without-colon": b"GET /_refract/health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    "huge-header": b"GET /_refract/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n",
    "negative-content-length": b"PUT /photos/x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "body-cut-short": b"PUT /photos/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nonly a few bytes",
    "bad-chunked-encoding": b"PUT /photos/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_gateway_survives_bad_input(http: GatewayHTTP, name):
    answer = http.raw_exchange(BAD_INPUTS[name], timeout=3)
    # Closing the connection is a fine answer; an answer is a client error (or 505 for a version it does not speak).
    assert not answer or re.match(rb"HTTP/1\.[01] (4\d\d|505) ", answer), answer[:300]
    assert http.get("/_refract/health").status == 200
    assert http.get("/_refract/ready").status == 200


def test_invalid_percent_encoding_is_an_s3_error(http: GatewayHTTP):
    answer = http.raw_exchange(b"GET /photos/bad%zzkey HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert_s3_error(parse_http_response(answer), 400, "InvalidArgument")
