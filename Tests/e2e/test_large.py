"""A 2 GiB object goes through the gateway in both directions while its memory stays flat: bodies are streamed,
never buffered whole (SPEC §1.1)."""

from __future__ import annotations

import pytest

from downloads import RawDownload
from gateway_config import ADMIN, PUBLIC_BUCKET
from payloads import GIB, MIB, PatternStream
from refract_process import RefractProcess
from s3_http import GatewayHTTP, object_path

MEMORY_GROWTH_LIMIT_KIB = 64 * 1024
TRANSFER_TIMEOUT = 900


def peak_growth_kib(gateway: RefractProcess, baseline_kib: int) -> int:
    return gateway.status_kib("VmHWM") - baseline_kib


@pytest.mark.slow
def test_2_gib_put_and_get_stream_in_bounded_memory(own_gateway):
    gateway = own_gateway()
    http = GatewayHTTP(gateway.host, gateway.port)
    path = object_path(PUBLIC_BUCKET, "two-gib.bin")

    # Warm up first, so one-time allocations (buffers, thread pools, lazy tables) are not counted as growth.
    for _ in range(2):
        assert http.request("PUT", path, body=b"w" * MIB, credentials=ADMIN).status == 200
        assert http.get(path).status == 200
    baseline = gateway.status_kib("VmRSS")
    gateway.reset_peak_memory()

    upload = PatternStream(2 * GIB, "two-gib")
    reply = http.request(
        "PUT",
        path,
        body=upload,
        credentials=ADMIN,
        unsigned_headers={"content-length": str(2 * GIB)},
        timeout=TRANSFER_TIMEOUT,
    )
    assert reply.status == 200, reply.body
    upload_growth = peak_growth_kib(gateway, baseline)
    assert upload_growth < MEMORY_GROWTH_LIMIT_KIB, f"PUT of 2 GiB grew the gateway by {upload_growth} KiB"

    gateway.reset_peak_memory()
    download = RawDownload(gateway.host, gateway.port, path, timeout=TRANSFER_TIMEOUT)
    assert (download.status, download.content_length) == (200, 2 * GIB)
    download.read_to_end()
    assert download.sha256.digest() == upload.sha256.digest()
    download_growth = peak_growth_kib(gateway, baseline)
    assert download_growth < MEMORY_GROWTH_LIMIT_KIB, f"GET of 2 GiB grew the gateway by {download_growth} KiB"
    assert http.request("DELETE", path, credentials=ADMIN).status == 204
