"""GetObject's Range and conditional headers, as S3 answers them (SPEC §1.1), through boto3, aws-cli and raw HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway_config import ADMIN, PRIVATE_BUCKET
from payloads import random_bytes
from s3_clients import Conditions, S3Driver, expect_failure
from s3_http import GatewayHTTP, assert_s3_error, object_path

pytestmark = pytest.mark.both_stores

SIZE = 100_000
DAY = timedelta(days=1)
OTHER_ETAG = '"0123456789abcdef0123456789abcdef"'


@pytest.fixture
def stored(admin_s3, key_prefix) -> tuple[str, bytes]:
    key = key_prefix + "ranged.bin"
    body = random_bytes(SIZE, key)
    admin_s3.put_object(Bucket=PRIVATE_BUCKET, Key=key, Body=body)
    return key, body


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, SIZE - 1),
        ("bytes=-10", SIZE - 10, SIZE - 1),
        ("bytes=99990-200000", 99990, SIZE - 1),
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE - 1),
    ],
)
def test_range(driver: S3Driver, stored, header, first, last):
    key, body = stored
    reply = driver.get_object(PRIVATE_BUCKET, key, Conditions(range=header))
    assert reply.body == body[first : last + 1]
    assert reply.content_range == f"bytes {first}-{last}/{SIZE}"
    assert reply.content_length == last - first + 1


def test_unsatisfiable_range(driver: S3Driver, stored):
    key, _ = stored
    expect_failure("InvalidRange", driver.get_object, PRIVATE_BUCKET, key, Conditions(range=f"bytes={SIZE}-"))


def test_range_on_the_wire(http: GatewayHTTP, stored):
    key, body = stored
    reply = http.get(object_path(PRIVATE_BUCKET, key), headers={"range": "bytes=-10"}, credentials=ADMIN)
    assert reply.status == 206
    assert reply.header("Content-Range") == f"bytes {SIZE - 10}-{SIZE - 1}/{SIZE}"
    assert reply.header("Content-Length") == "10"
    assert reply.body == body[-10:]
    assert reply.request_id

    refused = http.get(object_path(PRIVATE_BUCKET, key), headers={"range": f"bytes={SIZE + 5}-"}, credentials=ADMIN)
    assert_s3_error(refused, 416, "InvalidRange")


def test_conditional_get(driver: S3Driver, stored):
    key, body = stored
    head = driver.head_object(PRIVATE_BUCKET, key)
    etag, modified = head.etag, head.last_modified

    def get(**conditions):
        return driver.get_object(PRIVATE_BUCKET, key, Conditions(**conditions))

    def refused(code: str, **conditions):
        expect_failure(code, driver.get_object, PRIVATE_BUCKET, key, Conditions(**conditions))

    refused("304", if_none_match=etag)
    assert get(if_none_match=OTHER_ETAG).body == body
    assert get(if_match=etag).body == body
    refused("PreconditionFailed", if_match=OTHER_ETAG)
    refused("304", if_modified_since=modified)
    assert get(if_modified_since=modified - DAY).body == body
    refused("PreconditionFailed", if_unmodified_since=modified - DAY)
    assert get(if_unmodified_since=modified).body == body
    # S3 (RFC 9110 §13.2.2): a true If-Match wins over a false If-Unmodified-Since, a false If-None-Match over a
    # true If-Modified-Since.
    assert get(if_match=etag, if_unmodified_since=modified - DAY).body == body
    refused("304", if_none_match=etag, if_modified_since=modified - DAY)


def test_conditional_head(driver: S3Driver, stored):
    key, _ = stored
    etag = driver.head_object(PRIVATE_BUCKET, key).etag
    expect_failure("304", driver.head_object, PRIVATE_BUCKET, key, Conditions(if_none_match=etag))
    expect_failure("412", driver.head_object, PRIVATE_BUCKET, key, Conditions(if_match=OTHER_ETAG))


def test_conditionals_on_the_wire(http: GatewayHTTP, stored):
    key, _ = stored
    path = object_path(PRIVATE_BUCKET, key)
    etag = http.request("HEAD", path, credentials=ADMIN).header("ETag")

    not_modified = http.get(path, headers={"if-none-match": etag}, credentials=ADMIN)
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert not_modified.header("ETag") == etag
    assert not_modified.request_id

    failed = http.get(path, headers={"if-match": OTHER_ETAG}, credentials=ADMIN)
    assert_s3_error(failed, 412, "PreconditionFailed")
