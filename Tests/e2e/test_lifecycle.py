"""Starting and stopping `refract serve` (SPEC §3): the zero-config demo, refused configurations, graceful
shutdown."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from downloads import RawDownload
from gateway_config import ADMIN, PUBLIC_BUCKET, STORE_KINDS
from payloads import MIB, random_bytes
from refract_process import RefractProcess, run_refract_expecting_exit
from s3_http import GatewayHTTP, assert_s3_error, list_bucket_xml, object_path

DEMO_STORE = Path(__file__).resolve().parents[2] / "storage"


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_sigterm_lets_an_in_flight_download_finish(own_gateway, kind):
    gateway = own_gateway(kind)
    http = GatewayHTTP(gateway.host, gateway.port)
    body = random_bytes(48 * MIB, "drain")
    path = object_path(PUBLIC_BUCKET, "drain.bin")
    assert http.request("PUT", path, body=body, credentials=ADMIN).status == 200

    download = RawDownload(gateway.host, gateway.port, path)
    download.read_at_least(MIB)
    gateway.terminate()
    download.read_to_end(pause=0.02)  # about 50 MiB/s: the transfer outlives the signal by a second or so

    assert download.received == len(body)
    assert download.sha256.digest() == hashlib.sha256(body).digest()
    assert gateway.wait(30) == 0, gateway.log_text()


def test_serve_without_config_serves_the_storage_folder(tmp_path):
    shutil.copytree(DEMO_STORE, tmp_path / "storage")
    gateway = RefractProcess(["--port", "0"], cwd=tmp_path, log_path=tmp_path / "refract.log")
    try:
        assert gateway.host == "127.0.0.1"
        http = GatewayHTTP(gateway.host, gateway.port)

        photo = http.get("/photos/cat.jpg")
        assert photo.status == 200
        assert photo.body == (DEMO_STORE / "photos/cat.jpg").read_bytes()
        assert photo.header("Content-Type") == "image/jpeg"
        text = http.get("/docs/readme.txt")
        assert (text.status, text.body) == (200, (DEMO_STORE / "docs/readme.txt").read_bytes())
        assert text.header("Content-Type").startswith("text/plain")

        keys, _ = list_bucket_xml(http.get("/photos", query=[("list-type", "2")]))
        assert keys == sorted(path.name for path in (DEMO_STORE / "photos").iterdir())
        assert_s3_error(http.request("PUT", "/photos/new.txt", body=b"x"), 403, "AccessDenied")
        assert_s3_error(http.request("DELETE", "/photos/cat.jpg"), 403, "AccessDenied")
    finally:
        status = gateway.stop()
    assert status == 0, gateway.log_text()


BAD_CONFIGS = {
    "unknown-key": ("server:\n  host: 127.0.0.1\n  prot: 8080\n", "server.prot"),
    "unknown-nested-key": (
        "stores:\n  local:\n    type: filesystem\n    root: ./storage\n    rooot: ./other\n",
        "stores.local.rooot",
    ),
    "port-not-a-number": ("server:\n  port: eighty\n", "server.port"),
    "public-not-a-bool": (
        "stores:\n  local:\n    type: filesystem\n    root: ./storage\n"
        "buckets:\n  photos:\n    store: local\n    public: maybe\n",
        "buckets.photos.public",
    ),
    "bad-byte-count": ("transforms:\n  image:\n    max_source_bytes: lots\n", "transforms.image.max_source_bytes"),
    "bad-log-level": ("log:\n  level: chatty\n", "log.level"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_bad_config_is_refused_naming_the_key(tmp_path, case):
    text, key_path = BAD_CONFIGS[case]
    (tmp_path / "storage").mkdir()
    config = tmp_path / "refract.yml"
    config.write_text(text)
    result = run_refract_expecting_exit(["serve", "--config", str(config), "--port", "0"], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert key_path in output, output
    assert "listening on" not in output
