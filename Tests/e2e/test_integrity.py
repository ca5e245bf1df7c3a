"""A PUT whose body does not match what the client promised stores nothing (SPEC §1.1): Content-MD5,
x-amz-checksum-crc32, and the chunk signatures of an aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) body."""

from __future__ import annotations

import pytest

from gateway_config import ADMIN, PRIVATE_BUCKET
from payloads import checksum_crc32, content_md5, random_bytes
from s3_clients import PutOptions, S3Driver, expect_failure
from s3_http import GatewayHTTP, Reply, assert_s3_error, object_path
from sigv4 import (
    STREAMING_PAYLOAD,
    Credentials,
    Scope,
    aws_chunked_frames,
    aws_chunked_length,
    sign_headers,
    signing_key,
)

pytestmark = pytest.mark.both_stores

DIGESTS = {"content_md5": content_md5, "checksum_crc32": checksum_crc32}
DIGEST_HEADERS = {"content_md5": "content-md5", "checksum_crc32": "x-amz-checksum-crc32"}


@pytest.mark.parametrize("digest", DIGESTS)
def test_matching_digest_is_accepted(driver: S3Driver, key_prefix, digest):
    key = key_prefix + "checked.txt"
    body = b"a body whose digest is right"
    driver.put_object(PRIVATE_BUCKET, key, body, PutOptions(**{digest: DIGESTS[digest](body)}))
    assert driver.get_object(PRIVATE_BUCKET, key).body == body


@pytest.mark.parametrize("digest", DIGESTS)
def test_wrong_digest_is_refused_and_nothing_is_stored(driver: S3Driver, key_prefix, digest):
    key = key_prefix + "checked.txt"
    wrong = PutOptions(**{digest: DIGESTS[digest](b"some other body")})

    expect_failure("BadDigest", driver.put_object, PRIVATE_BUCKET, key, b"the body sent", wrong)
    expect_failure("NoSuchKey", driver.get_object, PRIVATE_BUCKET, key)

    driver.put_object(PRIVATE_BUCKET, key, b"the old content")
    expect_failure("BadDigest", driver.put_object, PRIVATE_BUCKET, key, b"the new content", wrong)
    assert driver.get_object(PRIVATE_BUCKET, key).body == b"the old content"


@pytest.mark.parametrize("digest", DIGESTS)
def test_wrong_digest_on_the_wire(http: GatewayHTTP, key_prefix, digest):
    path = object_path(PRIVATE_BUCKET, key_prefix + "raw.bin")
    body = random_bytes(3 * 1024 * 1024, digest)
    headers = {DIGEST_HEADERS[digest]: DIGESTS[digest](body[:-1] + b"\0")}
    assert_s3_error(http.request("PUT", path, headers=headers, body=body, credentials=ADMIN), 400, "BadDigest")
    assert_s3_error(http.get(path, credentials=ADMIN), 404, "NoSuchKey")


def test_malformed_content_md5_is_invalid_digest(http: GatewayHTTP, key_prefix):
    path = object_path(PRIVATE_BUCKET, key_prefix + "raw.bin")
    reply = http.request("PUT", path, headers={"content-md5": "not-base64-md5"}, body=b"x", credentials=ADMIN)
    assert_s3_error(reply, 400, "InvalidDigest")
    assert_s3_error(http.get(path, credentials=ADMIN), 404, "NoSuchKey")


CHUNKS = [random_bytes(64 * 1024, 1), random_bytes(64 * 1024, 2), random_bytes(5000, 3)]


def put_aws_chunked(
    http: GatewayHTTP, path: str, chunks: list[bytes], credentials: Credentials, corrupt: str | None = None
) -> Reply:
    """A PUT with a hand-signed aws-chunked body, sent frame by frame; `corrupt` spoils the second chunk's
    "signature" or "data" after signing."""
    scope = Scope.now()
    headers = {
        "host": http.authority,
        "content-encoding": "aws-chunked",
        "content-type": "application/octet-stream",
        "x-amz-decoded-content-length": str(sum(len(chunk) for chunk in chunks)),
        "content-length": str(aws_chunked_length([len(chunk) for chunk in chunks])),
    }
    signed, seed = sign_headers("PUT", path, [], headers, STREAMING_PAYLOAD, credentials, scope)
    frames = aws_chunked_frames(chunks, signing_key(credentials.secret_access_key, scope), scope, seed)
    if corrupt == "signature":
        header, data = frames[1].split(b"\r\n", 1)
        frames[1] = header[:-6] + b"000000" + b"\r\n" + data
    elif corrupt == "data":
        frames[1] = frames[1][:200] + bytes([frames[1][200] ^ 0xFF]) + frames[1][201:]
    return http.request("PUT", path, headers=signed, body=frames)


def test_aws_chunked_streaming_put(http: GatewayHTTP, key_prefix):
    path = object_path(PRIVATE_BUCKET, key_prefix + "chunked.bin")
    reply = put_aws_chunked(http, path, CHUNKS, ADMIN)
    assert reply.status == 200, reply.body
    stored = http.get(path, credentials=ADMIN)
    assert stored.body == b"".join(CHUNKS), "the chunk framing is removed, the data kept"
    assert stored.header("Content-Length") == str(sum(len(chunk) for chunk in CHUNKS))
    assert "aws-chunked" not in (stored.header("Content-Encoding") or "")


@pytest.mark.parametrize("corrupt", ["signature", "data"])
def test_aws_chunked_with_bad_chunk_is_refused_and_nothing_is_stored(http: GatewayHTTP, key_prefix, corrupt):
    path = object_path(PRIVATE_BUCKET, key_prefix + "chunked.bin")
    assert_s3_error(put_aws_chunked(http, path, CHUNKS, ADMIN, corrupt), 403, "SignatureDoesNotMatch")
    assert_s3_error(http.get(path, credentials=ADMIN), 404, "NoSuchKey")

    http.request("PUT", path, body=b"the old content", credentials=ADMIN)
    assert_s3_error(put_aws_chunked(http, path, CHUNKS, ADMIN, corrupt), 403, "SignatureDoesNotMatch")
    assert http.get(path, credentials=ADMIN).body == b"the old content"
