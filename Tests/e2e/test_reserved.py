"""The gateway's own endpoints under /_refract/ (SPEC §1.4)."""

from __future__ import annotations

import re

import pytest

from gateway_config import PUBLIC_BUCKET
from s3_http import GatewayHTTP, object_path

pytestmark = pytest.mark.both_stores

SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(?P<value>\S+)")


def request_count(exposition: str) -> float:
    """The sum of every counter sample whose name speaks of requests, in Prometheus' text format."""
    counters = {
        line.split()[2]
        for line in exposition.splitlines()
        if line.startswith("# TYPE ") and line.split()[3] == "counter"
    }
    total = 0.0
    for line in exposition.splitlines():
        match = SAMPLE.match(line)
        if not match or "request" not in match["name"]:
            continue
        if match["name"] in counters or match["name"].removesuffix("_total") in counters:
            total += float(match["value"])
    return total


def test_health_and_ready(http: GatewayHTTP):
    for endpoint in ("/_refract/health", "/_refract/ready"):
        reply = http.get(endpoint)
        assert reply.status == 200, (endpoint, reply.body)
        assert reply.request_id


def test_metrics_count_requests(http: GatewayHTTP, admin_s3, key_prefix):
    key = key_prefix + "counted.txt"
    admin_s3.put_object(Bucket=PUBLIC_BUCKET, Key=key, Body=b"count me")
    before = http.get("/_refract/metrics")
    assert before.status == 200
    assert before.header("Content-Type").startswith("text/plain")

    for _ in range(3):
        assert http.get(object_path(PUBLIC_BUCKET, key)).status == 200
    after = http.get("/_refract/metrics").body.decode()

    assert re.search(r"^# TYPE \S+ counter$", after, re.MULTILINE), after[:2000]
    assert request_count(after) >= request_count(before.body.decode()) + 3, after[:2000]


def test_unknown_reserved_path_is_not_a_bucket(http: GatewayHTTP):
    reply = http.get("/_refract/no-such-endpoint")
    assert reply.status == 404
    assert reply.request_id
