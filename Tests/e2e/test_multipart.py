"""Large objects the way the clients move them: `aws s3 cp` and boto3's transfer manager switch to multipart
uploads and ranged, parallel downloads."""

from __future__ import annotations

import json
import re

from boto3.s3.transfer import TransferConfig

from gateway_config import PRIVATE_BUCKET
from payloads import MIB, file_sha256, multipart_etag, write_random_file
from s3_clients import AwsCli

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
