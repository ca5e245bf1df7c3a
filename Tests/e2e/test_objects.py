"""PutObject, GetObject, HeadObject, DeleteObject and DeleteObjects through boto3 and aws-cli (SPEC §1.1)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from gateway_config import ADMIN, PRIVATE_BUCKET, PUBLIC_BUCKET
from payloads import random_bytes
from s3_clients import ListQuery, PutOptions, S3Driver, expect_failure
from s3_http import GatewayHTTP, assert_s3_error, object_path

pytestmark = pytest.mark.both_stores

# Keys that are easy to mangle on the way: spaces, non-ASCII, '!' (which boto3 sends as %21), reserved URL
# characters, a literal "%20", and ".." inside a name (which is not a path segment).
AWKWARD_KEYS = [
    "with space/file name.txt",
    "unicodé/日本語 ☃.txt",
    "bang!key.txt",
    "plus+sign&eq=.txt",
    "tilde~(paren)'quote',comma;semi.txt",
    "percent%20literal.txt",
    "dots..in..name.txt",
]


def quoted_md5(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


@pytest.mark.parametrize("size", [0, 300_000])
def test_put_get_head_list_delete_round_trip(driver: S3Driver, key_prefix, size):
    key = key_prefix + "object.bin"
    body = random_bytes(size, key)

    etag = driver.put_object(PRIVATE_BUCKET, key, body)
    assert etag == quoted_md5(body), "a single PUT's ETag is the body's MD5, as S3's"

    got = driver.get_object(PRIVATE_BUCKET, key)
    assert got.body == body
    assert (got.etag, got.content_length) == (etag, size)
    assert abs(got.last_modified - datetime.now(UTC)) < timedelta(minutes=5)

    head = driver.head_object(PRIVATE_BUCKET, key)
    assert (head.etag, head.content_length, head.body) == (etag, size, b"")
    assert head.last_modified == got.last_modified

    assert driver.list_page(PRIVATE_BUCKET, ListQuery(prefix=key_prefix)).keys == [key]

    driver.delete_object(PRIVATE_BUCKET, key)
    expect_failure("NoSuchKey", driver.get_object, PRIVATE_BUCKET, key)
    expect_failure("404", driver.head_object, PRIVATE_BUCKET, key)
    assert driver.list_page(PRIVATE_BUCKET, ListQuery(prefix=key_prefix)).keys == []
    driver.delete_object(PRIVATE_BUCKET, key)  # S3 answers 204 for a key that is not there, too


def test_put_overwrites(driver: S3Driver, key_prefix):
    key = key_prefix + "twice.txt"
    driver.put_object(PRIVATE_BUCKET, key, b"first version")
    etag = driver.put_object(PRIVATE_BUCKET, key, b"second, longer version")
    got = driver.get_object(PRIVATE_BUCKET, key)
    assert (got.body, got.etag) == (b"second, longer version", etag)


def test_metadata_and_content_type_round_trip(driver: S3Driver, key_prefix):
    key = key_prefix + "described.json"
    options = PutOptions(
        content_type="application/vnd.refract-test+json; charset=utf-8",
        metadata={"colour": "blue", "camera-model": "Canon EOS R6"},
    )
    driver.put_object(PRIVATE_BUCKET, key, b'{"a": 1}', options)
    for reply in (driver.get_object(PRIVATE_BUCKET, key), driver.head_object(PRIVATE_BUCKET, key)):
        assert reply.content_type == options.content_type
        assert reply.metadata == options.metadata


def test_awkward_keys_round_trip(driver: S3Driver, key_prefix):
    keys = [key_prefix + key for key in AWKWARD_KEYS]
    for key in keys:
        driver.put_object(PRIVATE_BUCKET, key, key.encode())
    listed = driver.list_page(PRIVATE_BUCKET, ListQuery(prefix=key_prefix))
    assert listed.keys == sorted(keys, key=lambda key: key.encode())
    for key in keys:
        assert driver.get_object(PRIVATE_BUCKET, key).body == key.encode()
        driver.delete_object(PRIVATE_BUCKET, key)
    assert driver.list_page(PRIVATE_BUCKET, ListQuery(prefix=key_prefix)).keys == []


def test_delete_objects(admin_s3, key_prefix):
    keys = [f"{key_prefix}batch/{number}.txt" for number in range(5)]
    for key in keys:
        admin_s3.put_object(Bucket=PRIVATE_BUCKET, Key=key, Body=key.encode())
    absent = key_prefix + "never-there.txt"
    reply = admin_s3.delete_objects(
        Bucket=PRIVATE_BUCKET, Delete={"Objects": [{"Key": key} for key in [*keys[:3], absent]]}
    )
    deleted = sorted(entry["Key"] for entry in reply["Deleted"])
    assert deleted == sorted([*keys[:3], absent]), "a key that is not there counts as deleted, as in S3"
    assert not reply.get("Errors"), reply["Errors"]
    listed = admin_s3.list_objects_v2(Bucket=PRIVATE_BUCKET, Prefix=key_prefix)
    assert [entry["Key"] for entry in listed["Contents"]] == keys[3:]

    quiet = admin_s3.delete_objects(
        Bucket=PRIVATE_BUCKET, Delete={"Objects": [{"Key": key} for key in keys[3:]], "Quiet": True}
    )
    assert not quiet.get("Deleted") and not quiet.get("Errors"), "quiet mode reports failures only"
    assert admin_s3.list_objects_v2(Bucket=PRIVATE_BUCKET, Prefix=key_prefix)["KeyCount"] == 0


def test_delete_objects_refuses_each_key_the_user_may_not_delete(admin_s3, reader_s3, key_prefix):
    key = key_prefix + "kept.txt"
    admin_s3.put_object(Bucket=PUBLIC_BUCKET, Key=key, Body=b"kept")
    reply = reader_s3.delete_objects(Bucket=PUBLIC_BUCKET, Delete={"Objects": [{"Key": key}]})
    assert [(entry["Key"], entry["Code"]) for entry in reply["Errors"]] == [(key, "AccessDenied")]
    assert not reply.get("Deleted")
    assert admin_s3.get_object(Bucket=PUBLIC_BUCKET, Key=key)["Body"].read() == b"kept"


def test_bang_in_key_is_percent_encoded_not_a_suffix(admin_s3, http: GatewayHTTP, key_prefix):
    key = key_prefix + "report!final.txt"
    admin_s3.put_object(Bucket=PRIVATE_BUCKET, Key=key, Body=b"the final report")
    reply = http.get(object_path(PRIVATE_BUCKET, key), credentials=ADMIN)
    assert "%21" in object_path(PRIVATE_BUCKET, key)
    assert (reply.status, reply.body) == (200, b"the final report")


@pytest.fixture
def stored_anywhere(gateway, store_kind, request) -> Callable[[str], list[str]]:
    """Where a file or object of this base name exists, looked at directly rather than through the gateway: any file
    under the test run's temporary folders (the gateway's filesystem store among them) and, with the S3 store, any
    key of any bucket in moto."""
    temporary_folders = gateway.log_path.parent.parent
    moto = request.getfixturevalue("moto") if store_kind == "s3" else None

    def find(name: str) -> list[str]:
        found = [str(path) for path in temporary_folders.rglob(name)]
        if moto is not None:
            for bucket in moto.client.list_buckets()["Buckets"]:
                found += [f"s3://{bucket['Name']}/{key}" for key in moto.keys(bucket["Name"]) if key.endswith(name)]
        return found

    return find


@pytest.mark.parametrize(
    "raw_key", ["../escape.txt", "a/../../escape.txt", "%2E%2E/escape.txt", "a/%2e%2e/%2e%2e/escape.txt", "./x.txt"]
)
def test_key_with_dot_dot_segment_is_refused(http: GatewayHTTP, stored_anywhere, raw_key):
    reply = http.request("PUT", f"/{PRIVATE_BUCKET}/{raw_key}", body=b"escaped", credentials=ADMIN)
    assert_s3_error(reply, 400, "InvalidArgument")
    assert not stored_anywhere("escape.txt"), "nothing is written anywhere"
    assert_s3_error(http.get(f"/{PRIVATE_BUCKET}/{raw_key}", credentials=ADMIN), 400, "InvalidArgument")


@pytest.mark.filesystem_only
def test_reading_through_dot_dot_never_leaves_the_bucket(http: GatewayHTTP, storage_root):
    (storage_root / "outside.txt").write_text("not an object of any bucket")
    for path in (f"/{PRIVATE_BUCKET}/../outside.txt", f"/{PRIVATE_BUCKET}/%2e%2e/outside.txt"):
        reply = http.get(path, credentials=ADMIN)
        assert reply.status == 400, (path, reply.status, reply.body[:200])
        assert b"not an object" not in reply.body
