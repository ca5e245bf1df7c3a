"""Multipart uploads: large objects the way the clients move them (`aws s3 cp` and boto3's transfer manager switch
to multipart uploads and ranged, parallel downloads), and the multipart API step by step, with its refusals."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from boto3.s3.transfer import TransferConfig

from gateway_config import PRIVATE_BUCKET
from payloads import MIB, file_sha256, multipart_etag, random_bytes, write_random_file
from s3_clients import AwsCli, Boto3Driver, expect_failure

pytestmark = pytest.mark.both_stores

AWS_CLI_PART_SIZE = 8 * MIB  # aws-cli's default multipart_chunksize
MULTIPART_ETAG = re.compile(r'^"[0-9a-f]{32}-(\d+)"$')


def assert_multipart_etag(etag: str, source, part_size: int, parts: int) -> None:
    match = MULTIPART_ETAG.match(etag)
    assert match, f"a multipart upload's ETag is MD5-of-part-MD5s then -N, got {etag}"
    assert int(match[1]) == parts
    assert etag == multipart_etag(source, part_size)


def test_aws_s3_cp_100_mb_up_and_down(admin_cli: AwsCli, tmp_path, key_prefix):
    source = write_random_file(tmp_path / "hundred.bin", 100 * MIB, key_prefix)
    url = f"s3://{PRIVATE_BUCKET}/{key_prefix}hundred.bin"
    admin_cli.run("s3", "cp", "--only-show-errors", str(source), url)

    head = json.loads(
        admin_cli.run("s3api", "head-object", "--bucket", PRIVATE_BUCKET, "--key", f"{key_prefix}hundred.bin").stdout
    )
    assert head["ContentLength"] == 100 * MIB
    assert_multipart_etag(head["ETag"], source, AWS_CLI_PART_SIZE, parts=13)

    copy = tmp_path / "hundred.copy"
    admin_cli.run("s3", "cp", "--only-show-errors", url, str(copy))
    assert copy.stat().st_size == 100 * MIB
    assert file_sha256(copy) == file_sha256(source)

    listed = admin_cli.run("s3", "ls", f"s3://{PRIVATE_BUCKET}/{key_prefix}")
    assert re.search(rf"\s{100 * MIB} hundred\.bin$", listed.stdout, re.MULTILINE), listed.stdout


def test_boto3_upload_file_multipart(admin_s3, tmp_path, key_prefix):
    part_size = 5 * MIB
    source = write_random_file(tmp_path / "twelve.bin", 12 * MIB + 123, key_prefix)
    config = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=3)
    key = key_prefix + "twelve.bin"
    admin_s3.upload_file(str(source), PRIVATE_BUCKET, key, Config=config)

    head = admin_s3.head_object(Bucket=PRIVATE_BUCKET, Key=key)
    assert head["ContentLength"] == source.stat().st_size
    assert_multipart_etag(head["ETag"], source, part_size, parts=3)

    copy = tmp_path / "twelve.copy"
    admin_s3.download_file(PRIVATE_BUCKET, key, str(copy), Config=config)
    assert file_sha256(copy) == file_sha256(source)


def md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def create_upload(s3: Boto3Driver, key: str, **options) -> str:
    return s3.call("create_multipart_upload", Bucket=PRIVATE_BUCKET, Key=key, **options)["UploadId"]


def upload_part(s3: Boto3Driver, key: str, upload_id: str, number: int, body: bytes) -> str:
    reply = s3.call("upload_part", Bucket=PRIVATE_BUCKET, Key=key, UploadId=upload_id, PartNumber=number, Body=body)
    return reply["ETag"]


def complete(s3: Boto3Driver, key: str, upload_id: str, parts: list[tuple[int, str]]) -> dict:
    return s3.call(
        "complete_multipart_upload",
        Bucket=PRIVATE_BUCKET,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": number, "ETag": etag} for number, etag in parts]},
    )


def abort(s3: Boto3Driver, key: str, upload_id: str) -> None:
    s3.call("abort_multipart_upload", Bucket=PRIVATE_BUCKET, Key=key, UploadId=upload_id)


def test_multipart_upload_step_by_step(admin_s3, key_prefix):
    s3 = Boto3Driver(admin_s3)
    key = key_prefix + "parts.bin"
    first, last = random_bytes(5 * MIB, key + "1"), random_bytes(1000, key + "2")
    upload_id = create_upload(s3, key, ContentType="application/x-parts", Metadata={"kind": "parts"})

    second_etag = upload_part(s3, key, upload_id, 2, last)  # parts may arrive in any order
    first_etag = upload_part(s3, key, upload_id, 1, first)
    assert (first_etag, second_etag) == (md5_etag(first), md5_etag(last)), "a part's ETag is its MD5"
    listed = s3.call("list_parts", Bucket=PRIVATE_BUCKET, Key=key, UploadId=upload_id)["Parts"]
    assert [(part["PartNumber"], part["ETag"], part["Size"]) for part in listed] == [
        (1, first_etag, len(first)),
        (2, second_etag, len(last)),
    ]
    expect_failure("NoSuchKey", s3.get_object, PRIVATE_BUCKET, key)

    done = complete(s3, key, upload_id, [(1, first_etag), (2, second_etag)])
    digests = hashlib.md5(first).digest() + hashlib.md5(last).digest()
    assert done["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-2"'
    got = s3.get_object(PRIVATE_BUCKET, key)
    assert got.body == first + last
    assert (got.etag, got.content_type, got.metadata) == (done["ETag"], "application/x-parts", {"kind": "parts"})


def test_aborted_upload_is_gone(admin_s3, key_prefix, store_kind):
    s3 = Boto3Driver(admin_s3)
    key = key_prefix + "abandoned.bin"
    upload_id = create_upload(s3, key)
    etag = upload_part(s3, key, upload_id, 1, b"never completed")
    abort(s3, key, upload_id)

    expect_failure("NoSuchUpload", s3.call, "list_parts", Bucket=PRIVATE_BUCKET, Key=key, UploadId=upload_id)
    if store_kind == "filesystem":  # moto answers 500 here where S3 answers NoSuchUpload, and the gateway passes it on
        expect_failure("NoSuchUpload", complete, s3, key, upload_id, [(1, etag)])
    expect_failure("NoSuchKey", s3.get_object, PRIVATE_BUCKET, key)


def test_complete_refuses_a_wrong_part_list(admin_s3, key_prefix):
    s3 = Boto3Driver(admin_s3)
    key = key_prefix + "refused.bin"
    upload_id = create_upload(s3, key)
    # Part 1 is too small to be followed by another; parts 2 and 3 may be in any valid list.
    bodies = {1: b"a small first part", 2: random_bytes(5 * MIB, key + "2"), 3: random_bytes(5 * MIB, key + "3")}
    etags = {number: upload_part(s3, key, upload_id, number, body) for number, body in bodies.items()}

    expect_failure("InvalidPart", complete, s3, key, upload_id, [(2, md5_etag(b"other bytes")), (3, etags[3])])
    expect_failure("InvalidPart", complete, s3, key, upload_id, [(2, etags[2]), (4, etags[3])])
    expect_failure("EntityTooSmall", complete, s3, key, upload_id, [(1, etags[1]), (2, etags[2])])
    expect_failure("InvalidPartOrder", complete, s3, key, upload_id, [(3, etags[3]), (2, etags[2])])
    abort(s3, key, upload_id)
    expect_failure("NoSuchKey", s3.get_object, PRIVATE_BUCKET, key)
