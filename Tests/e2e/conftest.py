"""Fixtures: a real `refract serve` ($REFRACT_BIN) on an ephemeral port with a temp store, and the clients users
point at it (boto3, aws-cli, curl, raw HTTP)."""

from __future__ import annotations

import re
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway_config import ADMIN, READER, write_gateway_config
from refract_process import RefractProcess
from s3_clients import AwsCli, AwsCliDriver, Boto3Driver, S3Driver, boto3_client
from s3_http import GatewayHTTP, Reply, parse_http_response
from sigv4 import Credentials

TEST_TIME_LIMIT = 300
SLOW_TEST_TIME_LIMIT = 1200


@pytest.fixture(autouse=True)
def time_limit(request) -> Iterator[None]:
    """Fails a test that hangs (a gateway that never answers) instead of stalling CI."""
    limit = SLOW_TEST_TIME_LIMIT if request.node.get_closest_marker("slow") else TEST_TIME_LIMIT

    def expire(signum, frame):
        pytest.fail(f"{request.node.name} ran past its {limit}s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(limit)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def start_configured_gateway(directory: Path) -> RefractProcess:
    config = write_gateway_config(directory)
    return RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        cwd=directory,
        log_path=directory / "refract.log",
    )


@pytest.fixture(scope="session")
def gateway(tmp_path_factory) -> Iterator[RefractProcess]:
    """The gateway most tests share; it must shut down cleanly (exit 0) on SIGTERM at the end."""
    process = start_configured_gateway(tmp_path_factory.mktemp("gateway"))
    yield process
    status = process.stop()
    assert status == 0, f"refract exited with {status} after SIGTERM:\n{process.log_text()[-4000:]}"


@pytest.fixture
def own_gateway(tmp_path) -> Iterator[Callable[[], RefractProcess]]:
    """Starts a private gateway for tests that stop, signal or measure it; killed afterwards if still running."""
    started: list[RefractProcess] = []

    def start() -> RefractProcess:
        process = start_configured_gateway(tmp_path / f"gateway-{len(started)}")
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


@pytest.fixture(scope="session")
def storage_root(gateway) -> Path:
    return gateway.log_path.parent / "storage"


@pytest.fixture(scope="session")
def http(gateway) -> GatewayHTTP:
    return GatewayHTTP(gateway.host, gateway.port)


@pytest.fixture(scope="session")
def admin_s3(gateway):
    return boto3_client(gateway.url, ADMIN)


@pytest.fixture(scope="session")
def reader_s3(gateway):
    return boto3_client(gateway.url, READER)


@pytest.fixture(scope="session")
def anonymous_s3(gateway):
    return boto3_client(gateway.url, None)


@pytest.fixture(scope="session")
def aws_cli_for(gateway, tmp_path_factory) -> Callable[[Credentials | None], AwsCli]:
    """aws-cli configured for the gateway with the given credentials (None: --no-sign-request)."""

    def make(credentials: Credentials | None) -> AwsCli:
        return AwsCli(gateway.url, credentials, tmp_path_factory.mktemp("aws-cli"))

    return make


@pytest.fixture(scope="session")
def admin_cli(aws_cli_for) -> AwsCli:
    return aws_cli_for(ADMIN)


@pytest.fixture(params=["boto3", "aws-cli"])
def driver(request, admin_s3, admin_cli) -> S3Driver:
    """Each round-trip test runs once through boto3 and once through aws-cli, as the admin user."""
    return Boto3Driver(admin_s3) if request.param == "boto3" else AwsCliDriver(admin_cli)


@pytest.fixture
def key_prefix(request) -> str:
    """A key prefix no other test uses, so tests sharing the gateway never see each other's objects."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    return f"{name}-{uuid.uuid4().hex[:8]}/"


@pytest.fixture(scope="session")
def curl(gateway) -> Callable[..., subprocess.CompletedProcess]:
    """Runs `curl OPTIONS... URL` for a path on the gateway; an HTTP error status is not a failure here."""

    def run(path: str, *options: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["curl", "--silent", "--show-error", "--max-time", str(timeout), *options, gateway.url + path],
            capture_output=True,
            timeout=timeout + 10,
            stdin=subprocess.DEVNULL,
        )

    return run


@pytest.fixture(scope="session")
def curl_reply(curl) -> Callable[..., Reply]:
    """The parsed response to `curl -i --raw OPTIONS... URL` (`head=True`: `curl -I`)."""

    def run(path: str, *options: str, head: bool = False) -> Reply:
        completed = curl(path, "-I" if head else "-i", "--raw", *options)
        assert completed.returncode == 0, completed.stderr
        return parse_http_response(completed.stdout, "HEAD" if head else "GET")

    return run
