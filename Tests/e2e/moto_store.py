"""A real S3-compatible service behind the gateway's `type: s3` store: moto_server (PyPI `moto[server]`) on a loopback
port of its own, which tests stop and start again on the same port to play an outage; and boto3 straight to it, to see
what the gateway stored (or to plant objects) without going through the gateway.

moto keeps everything in memory: after a restart its buckets and objects are gone."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from botocore.exceptions import ClientError

from gateway_config import S3StoreSettings
from s3_clients import boto3_client
from sigv4 import Credentials

# moto accepts any credentials; the gateway signs its requests to the store with these.
MOTO_CREDENTIALS = Credentials("AKIAE2EMOTOSTORE0000", "e2e-moto-secret-0123456789abcdefghijklmno")
START_TIMEOUT = 30
STOP_TIMEOUT = 10
PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def moto_server_command() -> str:
    """moto_server of the interpreter running the tests (its shim on PATH otherwise)."""
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which("moto_server")
    if found is None:
        raise RuntimeError("no moto_server: pip install 'moto[server]' (scripts/setup.sh does)")
    return found


def _die_with_parent() -> None:
    """In the child before exec: a killed test run must not leave moto (and the objects it holds) behind."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class MotoServer:
    """`moto_server -H 127.0.0.1 -p PORT`, its output appended to `log_path` across restarts."""

    def __init__(self, log_path: Path, port: int | None = None):
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._client = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        """Starts moto on this server's port (again, after `stop`) and waits until it answers."""
        assert not self.running, "moto is running already"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [moto_server_command(), "-H", "127.0.0.1", "-p", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:
                    response.read()
                    return
            except urllib.error.HTTPError:
                return  # an S3 error answer: moto is up
            except (urllib.error.URLError, ConnectionError) as error:
                last_error = error
            time.sleep(0.1)
        raise RuntimeError(f"moto_server did not answer in {START_TIMEOUT}s ({last_error}):\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM (then SIGKILL), and waits until the port is closed; moto forgets every bucket and object."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def client(self):
        """boto3 straight to moto (path style, no retries)."""
        if self._client is None:
            self._client = boto3_client(self.url, MOTO_CREDENTIALS)
        return self._client

    def create_buckets(self, names: Iterable[str]) -> None:
        for name in names:
            try:
                self.client.create_bucket(Bucket=name)
            except ClientError as error:
                if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key of a bucket in moto, following continuation tokens."""
        paginator = self.client.get_paginator("list_objects_v2")
        return [
            entry["Key"]
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
            for entry in page.get("Contents", [])
        ]

    def get(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def store_settings(self, **overrides) -> S3StoreSettings:
        """A `type: s3` store pointing at this server."""
        return S3StoreSettings(
            endpoint=self.url,
            access_key_id=MOTO_CREDENTIALS.access_key_id,
            secret_access_key=MOTO_CREDENTIALS.secret_access_key,
            **overrides,
        )
