"""Fixtures: a real `refract serve` ($REFRACT_BIN) on an ephemeral port with a temp store, and the clients users
point at it (boto3, aws-cli, curl, raw HTTP).

The shared gateway's buckets live on the filesystem store, or, for the tests of modules marked `both_stores` (the S3
API), a second time on an S3 store: moto_server on loopback, started once for the session. Tests marked
`filesystem_only` (they look into the store's folder) or `s3_only` run against that store alone."""

from __future__ import annotations

import re
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway_config import ADMIN, BUCKETS, READER, STORE_KINDS, real_bucket_name, write_gateway_config
from moto_store import MotoServer
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


def pytest_configure(config) -> None:
    for marker in (
        "both_stores: every test runs against the filesystem store and against the S3 store (moto)",
        "filesystem_only: looks into the filesystem store's folder; not run against the S3 store",
        "s3_only: runs against the S3 store (moto) only",
    ):
        config.addinivalue_line("markers", marker)


def store_kinds(item) -> list[str]:
    """The stores a test runs against: both for modules marked both_stores, else the filesystem one, unless marked."""
    if item.get_closest_marker("s3_only"):
        return ["s3"]
    if item.get_closest_marker("filesystem_only") or not item.get_closest_marker("both_stores"):
        return ["filesystem"]
    return list(STORE_KINDS)


def pytest_generate_tests(metafunc) -> None:
    """Every test on the shared gateway is run once per store its markers give it (session-wide, so each store's
    gateway starts once and its tests run together)."""
    if "store_kind" in metafunc.fixturenames:
        metafunc.parametrize("store_kind", store_kinds(metafunc.definition), indirect=True, scope="session")


@pytest.fixture(scope="session")
def store_kind(request) -> str:
    """`filesystem` or `s3`: the store behind the shared gateway's buckets (set by pytest_generate_tests)."""
    return request.param


@pytest.fixture(scope="session")
def moto(tmp_path_factory) -> Iterator[MotoServer]:
    """moto_server on a free loopback port for the whole session; stopped at the end, also after failures."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


def start_configured_gateway(directory: Path, moto: MotoServer | None = None) -> RefractProcess:
    """A gateway with the e2e configuration; given moto, its buckets are on moto (which gets their real buckets)."""
    s3 = None
    if moto is not None:
        moto.create_buckets(real_bucket_name(bucket) for bucket in BUCKETS)
        s3 = moto.store_settings()
    config = write_gateway_config(directory, s3)
    return RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        cwd=directory,
        log_path=directory / "refract.log",
    )


@pytest.fixture(scope="session")
def gateway(store_kind, request, tmp_path_factory) -> Iterator[RefractProcess]:
    """The gateway most tests share; it must shut down cleanly (exit 0) on SIGTERM at the end."""
    moto = request.getfixturevalue("moto") if store_kind == "s3" else None
    process = start_configured_gateway(tmp_path_factory.mktemp(f"gateway-{store_kind}"), moto)
    yield process
    status = process.stop()
    assert status == 0, f"refract exited with {status} after SIGTERM:\n{process.log_text()[-4000:]}"


@pytest.fixture
def own_gateway(request, tmp_path) -> Iterator[Callable[..., RefractProcess]]:
    """Starts a private gateway for tests that stop, signal or measure it (`store_kind="s3"`: its buckets on the
    session's moto); killed afterwards if still running."""
    started: list[RefractProcess] = []

    def start(store_kind: str = "filesystem") -> RefractProcess:
        moto = request.getfixturevalue("moto") if store_kind == "s3" else None
        process = start_configured_gateway(tmp_path / f"gateway-{len(started)}", moto)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


@pytest.fixture(scope="session")
def storage_root(gateway, store_kind) -> Path:
    """The shared gateway's filesystem store folder (tests using it are marked filesystem_only)."""
    assert store_kind == "filesystem", "a test that looks into the store's folder must be marked filesystem_only"
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
