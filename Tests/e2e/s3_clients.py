"""The two real S3 clients the gateway must serve, boto3 and aws-cli, behind one small interface so every round-trip
test runs against both."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from sigv4 import Credentials

AWS_CLI_TIMEOUT = 600
AWS_CLI_ERROR = re.compile(r"An error occurred \((?P<code>[^)]+)\) when calling the (?P<operation>\w+) operation")


class S3Failure(Exception):
    """An S3 error as a client reports it: its code (for 304, the client says "304") and message."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def expect_failure(code: str, operation, *args, **kwargs) -> S3Failure:
    """Calls a client operation that must fail with this S3 error code."""
    try:
        operation(*args, **kwargs)
    except S3Failure as failure:
        assert failure.code == code, failure
        return failure
    raise AssertionError(f"{getattr(operation, '__name__', operation)} succeeded; expected {code}")


@dataclass
class ObjectReply:
    body: bytes
    etag: str
    content_type: str | None
    content_length: int
    content_range: str | None
    metadata: dict[str, str]
    last_modified: datetime


@dataclass
class ListPage:
    keys: list[str]
    prefixes: list[str]
    truncated: bool
    next_token: str | None
    key_count: int | None


@dataclass
class Conditions:
    """Range and conditional headers of a GET or HEAD."""

    range: str | None = None
    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: datetime | None = None
    if_unmodified_since: datetime | None = None


@dataclass
class ListQuery:
    prefix: str | None = None
    delimiter: str | None = None
    max_keys: int | None = None
    continuation_token: str | None = None
    start_after: str | None = None


@dataclass
class PutOptions:
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    content_md5: str | None = None
    checksum_crc32: str | None = None


def parse_timestamp(value: datetime | str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return parsedate_to_datetime(value)


def boto3_client(endpoint: str, credentials: Credentials | None, **config_options):
    """An S3 client the way users configure one for a path-style endpoint; `credentials=None` is anonymous."""
    config = Config(
        s3={"addressing_style": "path"},
        signature_version=UNSIGNED if credentials is None else "s3v4",
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
        **config_options,
    )
    keys = {}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
        }
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config, **keys)


class AwsCli:
    """Runs `aws --endpoint-url URL ...` with its own config file (path-style addressing) and credentials."""

    def __init__(self, endpoint: str, credentials: Credentials | None, work_dir: Path):
        self.endpoint = endpoint
        self.credentials = credentials
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        config = work_dir / "aws-config"
        # aws-cli v1 presigns with SigV2 unless told otherwise; the gateway speaks SigV4 only (SPEC §3).
        config.write_text(
            "[default]\nregion = us-east-1\nmax_attempts = 1\n"
            "s3 =\n    addressing_style = path\n    signature_version = s3v4\n"
        )
        self.env = {
            **os.environ,
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(work_dir / "no-credentials"),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
        }
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            self.env.pop(name, None)
        if credentials is not None:
            self.env["AWS_ACCESS_KEY_ID"] = credentials.access_key_id
            self.env["AWS_SECRET_ACCESS_KEY"] = credentials.secret_access_key

    def run(self, *args: str, timeout: float = AWS_CLI_TIMEOUT) -> subprocess.CompletedProcess:
        """Runs aws; a failure that names an S3 error code raises S3Failure, any other failure AssertionError."""
        unsigned = ["--no-sign-request"] if self.credentials is None else []
        completed = subprocess.run(
            ["aws", "--endpoint-url", self.endpoint, *unsigned, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if completed.returncode != 0:
            match = AWS_CLI_ERROR.search(completed.stderr)
            if match:
                raise S3Failure(match["code"], completed.stderr.strip())
            raise AssertionError(f"aws {' '.join(args)} failed ({completed.returncode}): {completed.stderr}")
        return completed

    def scratch_file(self) -> Path:
        return self.work_dir / uuid.uuid4().hex


class S3Driver:
    """S3 operations in boto3's vocabulary (operation and parameter names, reply shapes), whatever the client.

    Subclasses implement `call`, which returns boto3's reply dict with a `Body` already read into bytes.
    """

    name = ""

    def call(self, operation: str, **params) -> dict:
        raise NotImplementedError

    def put_object(self, bucket: str, key: str, body: bytes, options: PutOptions | None = None) -> str:
        options = options or PutOptions()
        reply = self.call(
            "put_object",
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=options.content_type,
            Metadata=options.metadata or None,
            ContentMD5=options.content_md5,
            ChecksumCRC32=options.checksum_crc32,
        )
        return reply["ETag"]

    def get_object(self, bucket: str, key: str, conditions: Conditions | None = None) -> ObjectReply:
        return self._read("get_object", bucket, key, conditions)

    def head_object(self, bucket: str, key: str, conditions: Conditions | None = None) -> ObjectReply:
        return self._read("head_object", bucket, key, conditions)

    def _read(self, operation: str, bucket: str, key: str, conditions: Conditions | None) -> ObjectReply:
        conditions = conditions or Conditions()
        reply = self.call(
            operation,
            Bucket=bucket,
            Key=key,
            Range=conditions.range,
            IfMatch=conditions.if_match,
            IfNoneMatch=conditions.if_none_match,
            IfModifiedSince=conditions.if_modified_since,
            IfUnmodifiedSince=conditions.if_unmodified_since,
        )
        return ObjectReply(
            body=reply.get("Body", b""),
            etag=reply["ETag"],
            content_type=reply.get("ContentType"),
            content_length=reply["ContentLength"],
            content_range=reply.get("ContentRange"),
            metadata=reply.get("Metadata", {}),
            last_modified=parse_timestamp(reply["LastModified"]),
        )

    def delete_object(self, bucket: str, key: str) -> None:
        self.call("delete_object", Bucket=bucket, Key=key)

    def list_page(self, bucket: str, query: ListQuery) -> ListPage:
        reply = self.call(
            "list_objects_v2",
            Bucket=bucket,
            Prefix=query.prefix,
            Delimiter=query.delimiter,
            MaxKeys=query.max_keys,
            ContinuationToken=query.continuation_token,
            StartAfter=query.start_after,
        )
        return ListPage(
            keys=[entry["Key"] for entry in reply.get("Contents", [])],
            prefixes=[entry["Prefix"] for entry in reply.get("CommonPrefixes", [])],
            truncated=reply.get("IsTruncated", False),
            next_token=reply.get("NextContinuationToken"),
            key_count=reply.get("KeyCount"),
        )


class Boto3Driver(S3Driver):
    name = "boto3"

    def __init__(self, client):
        self.client = client

    def call(self, operation: str, **params) -> dict:
        try:
            reply = getattr(self.client, operation)(
                **{name: value for name, value in params.items() if value is not None}
            )
        except ClientError as error:
            details = error.response.get("Error", {})
            raise S3Failure(str(details.get("Code")), str(details.get("Message"))) from error
        if "Body" in reply:
            reply["Body"] = reply["Body"].read()
        return reply


def _cli_flag(parameter: str) -> str:
    """boto3's parameter name as an aws-cli flag: IfModifiedSince -> --if-modified-since, ContentMD5 ->
    --content-md5."""
    return "--" + re.sub(r"(?<=[a-z])(?=[A-Z])", "-", parameter).lower()


def _cli_value(value) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class AwsCliDriver(S3Driver):
    name = "aws-cli"

    def __init__(self, cli: AwsCli):
        self.cli = cli

    def call(self, operation: str, **params) -> dict:
        scratch = self.cli.scratch_file()
        arguments = []
        for name, value in params.items():
            if value is None:
                continue
            if name == "Body":
                scratch.write_bytes(value)
                value = scratch
            arguments += [_cli_flag(name), _cli_value(value)]
        if operation == "get_object":
            arguments.append(str(scratch))
        if operation == "list_objects_v2":
            arguments.append("--no-paginate")
        try:
            output = self.cli.run("s3api", operation.replace("_", "-"), "--output", "json", *arguments).stdout
            reply = json.loads(output) if output.strip() else {}
            if operation == "get_object":
                reply["Body"] = scratch.read_bytes()
            return reply
        finally:
            scratch.unlink(missing_ok=True)
