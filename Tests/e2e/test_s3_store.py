"""The `type: s3` store (SPEC §3) against a real S3-compatible server, moto_server on loopback: aws-cli and boto3
through the gateway with the objects checked in moto itself (under the bucket's real name there), a 1 GiB object
streamed both ways in flat memory, S3's error codes passed on, and faults: the store stopped, never there, too slow
to connect or to answer, or dying mid-download; and a client that hangs up cancels its upstream request."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from downloads import RawDownload
from gateway_config import (
    ADMIN,
    PRIVATE_BUCKET,
    PUBLIC_BUCKET,
    BucketSettings,
    S3StoreSettings,
    real_bucket_name,
    write_gateway_config,
)
from moto_store import MotoServer, free_port
from payloads import GIB, MIB, PatternStream, file_sha256, random_bytes, write_random_file
from refract_process import RefractProcess
from s3_clients import AwsCli, Boto3Driver, Conditions, PutOptions, expect_failure
from s3_http import GatewayHTTP, Reply, assert_s3_error, list_bucket_xml, object_path

pytestmark = pytest.mark.s3_only

MEMORY_GROWTH_LIMIT_KIB = 64 * 1024
TRANSFER_TIMEOUT = 900
# How much later than the configured timeout an unreachable store may be reported (process scheduling, a busy CI).
TIMEOUT_MARGIN = 3.0
RECOVERY_TIMEOUT = 20
CLOUD = "cloud"  # a bucket on the S3 store of a test's own gateway
DISK = "disk"  # a bucket on the filesystem store of the same gateway


def elapsed_since(start: float) -> float:
    return time.monotonic() - start


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def start_gateway(tmp_path) -> Iterator[Callable[[S3StoreSettings, dict[str, BucketSettings]], RefractProcess]]:
    """Starts gateways of this test's own with the given S3 store and buckets; killed afterwards if still running."""
    started: list[RefractProcess] = []

    def start(s3: S3StoreSettings, buckets: dict[str, BucketSettings]) -> RefractProcess:
        directory = tmp_path / f"gateway-{len(started)}"
        config = write_gateway_config(directory, s3, buckets)
        process = RefractProcess(
            ["--config", str(config), "--host", "127.0.0.1", "--port", "0"],
            cwd=directory,
            log_path=directory / "refract.log",
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def cloud_and_disk(s3: S3StoreSettings) -> dict[str, BucketSettings]:
    """A public bucket on the S3 store and a public one on the filesystem store."""
    return {CLOUD: BucketSettings(True, s3.name, real_bucket_name(CLOUD)), DISK: BucketSettings(True)}


def put(http: GatewayHTTP, bucket: str, key: str, body: bytes) -> None:
    reply = http.request("PUT", object_path(bucket, key), body=body, credentials=ADMIN)
    assert reply.status == 200, reply.body


# Through the shared gateway, its buckets on the session's moto.


def test_aws_s3_cp_ls_rm_land_in_the_real_bucket(admin_cli: AwsCli, moto: MotoServer, tmp_path, key_prefix):
    source = write_random_file(tmp_path / "report.bin", 3 * MIB + 17, key_prefix)
    key = key_prefix + "report.bin"
    admin_cli.run("s3", "cp", "--only-show-errors", str(source), f"s3://{PRIVATE_BUCKET}/{key}")
    assert hashlib.sha256(moto.get(real_bucket_name(PRIVATE_BUCKET), key)).hexdigest() == file_sha256(source)
    assert PRIVATE_BUCKET not in [bucket["Name"] for bucket in moto.client.list_buckets()["Buckets"]], (
        "the gateway's bucket name is not the store's"
    )

    listed = admin_cli.run("s3", "ls", f"s3://{PRIVATE_BUCKET}/{key_prefix}").stdout
    assert re.search(rf"\s{3 * MIB + 17} report\.bin$", listed, re.MULTILINE), listed

    copy = tmp_path / "report.copy"
    admin_cli.run("s3", "cp", "--only-show-errors", f"s3://{PRIVATE_BUCKET}/{key}", str(copy))
    assert file_sha256(copy) == file_sha256(source)

    admin_cli.run("s3", "rm", "--only-show-errors", f"s3://{PRIVATE_BUCKET}/{key}")
    assert moto.keys(real_bucket_name(PRIVATE_BUCKET), key_prefix) == []


def test_aws_s3_recursive_cp_ls_rm(admin_cli: AwsCli, moto: MotoServer, tmp_path, key_prefix):
    folder = tmp_path / "album"
    names = ["a.txt", "b/c.txt", "b/d e.txt", "f/g/h.bin"]
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(random_bytes(1000 + len(name), name))
    destination = f"s3://{PRIVATE_BUCKET}/{key_prefix}album/"
    admin_cli.run("s3", "cp", "--only-show-errors", "--recursive", str(folder), destination)

    real = real_bucket_name(PRIVATE_BUCKET)
    assert sorted(moto.keys(real, key_prefix)) == sorted(f"{key_prefix}album/{name}" for name in names)
    for name in names:
        assert moto.get(real, f"{key_prefix}album/{name}") == (folder / name).read_bytes()
    listed = admin_cli.run("s3", "ls", "--recursive", destination).stdout
    assert sorted(line.split(maxsplit=3)[3] for line in listed.splitlines()) == sorted(
        f"{key_prefix}album/{name}" for name in names
    )

    admin_cli.run("s3", "rm", "--only-show-errors", "--recursive", destination)
    assert moto.keys(real, key_prefix) == []


def test_objects_put_straight_into_the_store_are_served(http: GatewayHTTP, admin_s3, moto: MotoServer, key_prefix):
    key = key_prefix + "planted.json"
    body = b'{"planted": "in moto, not through the gateway"}'
    moto.client.put_object(
        Bucket=real_bucket_name(PUBLIC_BUCKET),
        Key=key,
        Body=body,
        ContentType="application/json",
        Metadata={"origin": "moto"},
    )
    stored = moto.client.head_object(Bucket=real_bucket_name(PUBLIC_BUCKET), Key=key)

    got = http.get(object_path(PUBLIC_BUCKET, key))
    assert (got.status, got.body) == (200, body)
    assert got.header("ETag") == stored["ETag"]
    assert got.header("Content-Type") == "application/json"
    assert got.header("x-amz-meta-origin") == "moto"
    assert got.header("Last-Modified") == stored["ResponseMetadata"]["HTTPHeaders"]["last-modified"]

    head = admin_s3.head_object(Bucket=PUBLIC_BUCKET, Key=key)
    assert (head["ContentLength"], head["ETag"], head["Metadata"]) == (len(body), stored["ETag"], {"origin": "moto"})
    assert list_bucket_xml(http.get(f"/{PUBLIC_BUCKET}", query=[("list-type", "2"), ("prefix", key_prefix)])) == (
        [key],
        [],
    )


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, MIB - 1), ("bytes=-500", MIB - 500, MIB - 1)],
)
def test_ranged_get(admin_s3, moto: MotoServer, key_prefix, header, first, last):
    key = key_prefix + "ranged.bin"
    body = random_bytes(MIB, key)
    moto.client.put_object(Bucket=real_bucket_name(PRIVATE_BUCKET), Key=key, Body=body)
    reply = Boto3Driver(admin_s3).get_object(PRIVATE_BUCKET, key, Conditions(range=header))
    assert reply.body == body[first : last + 1]
    assert reply.content_range == f"bytes {first}-{last}/{MIB}"
    unsatisfiable = Conditions(range=f"bytes={MIB}-")
    expect_failure("InvalidRange", Boto3Driver(admin_s3).get_object, PRIVATE_BUCKET, key, unsatisfiable)


def test_user_metadata_round_trip(admin_s3, moto: MotoServer, key_prefix):
    key = key_prefix + "described.txt"
    options = PutOptions(content_type="text/markdown; charset=utf-8", metadata={"author": "Ada", "camera-model": "X"})
    Boto3Driver(admin_s3).put_object(PRIVATE_BUCKET, key, b"# notes", options)

    in_store = moto.client.head_object(Bucket=real_bucket_name(PRIVATE_BUCKET), Key=key)
    assert (in_store["ContentType"], in_store["Metadata"]) == (options.content_type, options.metadata)
    through_gateway = Boto3Driver(admin_s3).head_object(PRIVATE_BUCKET, key)
    assert (through_gateway.content_type, through_gateway.metadata) == (options.content_type, options.metadata)


def test_store_errors_keep_their_s3_codes(start_gateway, moto: MotoServer, key_prefix):
    """A missing key is NoSuchKey; a gateway bucket whose bucket in the store does not exist is NoSuchBucket."""
    s3 = moto.store_settings()
    moto.create_buckets([real_bucket_name(CLOUD)])
    buckets = {**cloud_and_disk(s3), "ghost": BucketSettings(False, s3.name, "e2e-ghost-never-created")}
    gateway = start_gateway(s3, buckets)
    http = GatewayHTTP(gateway.host, gateway.port)

    missing_key = assert_s3_error(http.get(object_path(CLOUD, key_prefix + "absent")), 404, "NoSuchKey")
    assert CLOUD in (missing_key.resource or ""), missing_key
    assert_s3_error(http.request("HEAD", object_path(CLOUD, key_prefix + "absent")), 404, "NoSuchKey")

    for reply in (
        http.get(object_path("ghost", "some/key"), credentials=ADMIN),
        http.request("HEAD", object_path("ghost", "some/key"), credentials=ADMIN),
        http.get("/ghost", query=[("list-type", "2")], credentials=ADMIN),
        http.request("PUT", object_path("ghost", "some/key"), body=b"x", credentials=ADMIN),
    ):
        assert_s3_error(reply, 404, "NoSuchBucket")
        assert b"e2e-ghost-never-created" not in reply.body, "the store's bucket name stays behind the gateway"


@pytest.mark.slow
def test_1_gib_put_and_get_stream_in_bounded_memory(own_gateway, moto: MotoServer):
    gateway = own_gateway("s3")
    http = GatewayHTTP(gateway.host, gateway.port)
    key = "one-gib.bin"
    path = object_path(PUBLIC_BUCKET, key)

    # Warm up first, so one-time allocations (buffers, connection pools, thread pools) are not counted as growth.
    for _ in range(2):
        put(http, PUBLIC_BUCKET, key, b"w" * MIB)
        assert http.get(path).status == 200
    baseline = gateway.status_kib("VmRSS")
    gateway.reset_peak_memory()

    upload = PatternStream(GIB, "one-gib")
    reply = http.request(
        "PUT",
        path,
        body=upload,
        credentials=ADMIN,
        unsigned_headers={"content-length": str(GIB)},
        timeout=TRANSFER_TIMEOUT,
    )
    assert reply.status == 200, reply.body
    upload_growth = gateway.status_kib("VmHWM") - baseline
    assert upload_growth < MEMORY_GROWTH_LIMIT_KIB, f"PUT of 1 GiB grew the gateway by {upload_growth} KiB"
    stored = moto.client.head_object(Bucket=real_bucket_name(PUBLIC_BUCKET), Key=key)
    assert stored["ContentLength"] == GIB

    gateway.reset_peak_memory()
    download = RawDownload(gateway.host, gateway.port, path, timeout=TRANSFER_TIMEOUT)
    assert (download.status, download.content_length) == (200, GIB)
    download.read_to_end()
    download.close()
    assert download.sha256.digest() == upload.sha256.digest()
    download_growth = gateway.status_kib("VmHWM") - baseline
    assert download_growth < MEMORY_GROWTH_LIMIT_KIB, f"GET of 1 GiB grew the gateway by {download_growth} KiB"

    assert http.request("DELETE", path, credentials=ADMIN).status == 204
    assert moto.keys(real_bucket_name(PUBLIC_BUCKET), key) == []


# A client that goes away.


def gateway_sockets_to(gateway: RefractProcess, port: int) -> list[int]:
    """Bytes waiting in the receive queue of each of the gateway's TCP connections to 127.0.0.1:`port`."""
    inodes = set()
    for descriptor in Path(f"/proc/{gateway.pid}/fd").iterdir():
        try:
            target = descriptor.readlink()
        except FileNotFoundError:
            continue
        if str(target).startswith("socket:["):
            inodes.add(str(target)[8:-1])
    queued = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == port and fields[9] in inodes:
            queued.append(int(fields[4].split(":")[1], 16))
    return queued


def read_bytes(gateway: RefractProcess) -> int:
    """Bytes the gateway has read so far, from files and sockets: /proc/PID/io `rchar`."""
    for line in Path(f"/proc/{gateway.pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise KeyError("rchar")


def test_client_disconnect_cancels_the_upstream_download(own_gateway, moto: MotoServer):
    size = 128 * MIB
    gateway = own_gateway("s3")
    key = "abandoned.bin"
    moto.client.put_object(Bucket=real_bucket_name(PUBLIC_BUCKET), Key=key, Body=random_bytes(size, key))

    before = read_bytes(gateway)
    download = RawDownload(gateway.host, gateway.port, object_path(PUBLIC_BUCKET, key))
    assert (download.status, download.content_length) == (200, size)
    download.read_at_least(MIB)
    assert wait_until(lambda: any(gateway_sockets_to(gateway, moto.port)), 10), "the store's bytes back up"
    download.reset()

    # Left running, the upstream request would either stall with the store's bytes queued, or be read to the end.
    assert wait_until(lambda: not any(gateway_sockets_to(gateway, moto.port)), 10), (
        f"the gateway still has bytes queued from the store: {gateway_sockets_to(gateway, moto.port)}"
    )
    time.sleep(1)
    read = read_bytes(gateway) - before
    assert read < size // 4, f"the gateway read {read} bytes of a {size}-byte object the client dropped"
    assert GatewayHTTP(gateway.host, gateway.port).get("/_refract/health").status == 200


# Faults.


def assert_unavailable_within(request: Callable[[], Reply], limit: float) -> None:
    """The request answers 503 ServiceUnavailable (S3 XML) within `limit` seconds."""
    start = time.monotonic()
    reply = request()
    took = elapsed_since(start)
    assert_s3_error(reply, 503, "ServiceUnavailable")
    assert took < limit, f"ServiceUnavailable came after {took:.1f}s, more than {limit:.1f}s"


def logged_line(gateway, *parts: str) -> bool:
    """Whether one line of the gateway's log holds every one of `parts`."""
    return any(all(part in line for part in parts) for line in gateway.log_text().splitlines())


def test_store_outage_and_recovery(start_gateway, tmp_path, key_prefix):
    moto = MotoServer(tmp_path / "moto.log")
    try:
        s3 = moto.store_settings(name="outage-store", connect_timeout="2s")
        moto.create_buckets([real_bucket_name(CLOUD)])
        gateway = start_gateway(s3, cloud_and_disk(s3))
        assert logged_line(gateway, "store connected", "store=outage-store", f"at={s3.endpoint}"), (
            "the log names the stores the gateway connected to"
        )
        http = GatewayHTTP(gateway.host, gateway.port)
        key = key_prefix + "weather.txt"
        put(http, CLOUD, key, b"cloudy")
        put(http, DISK, key, b"on disk")
        assert http.get("/_refract/ready").status == 200

        moto.stop()
        limit = 2 + TIMEOUT_MARGIN
        assert_unavailable_within(lambda: http.get(object_path(CLOUD, key)), limit)
        assert_unavailable_within(lambda: http.request("HEAD", object_path(CLOUD, key)), limit)
        assert_unavailable_within(lambda: http.get(f"/{CLOUD}", query=[("list-type", "2")]), limit)
        assert_unavailable_within(
            lambda: http.request("PUT", object_path(CLOUD, key), body=b"lost", credentials=ADMIN), limit
        )
        assert http.get(object_path(DISK, key)).body == b"on disk", "the other store keeps serving"
        assert http.get("/_refract/health").status == 200
        assert_unavailable_within(lambda: http.get("/_refract/ready"), limit)

        moto.start()  # the same port, empty: the object comes back the way it first came
        moto.create_buckets([real_bucket_name(CLOUD)])
        moto.client.put_object(Bucket=real_bucket_name(CLOUD), Key=key, Body=b"sunny again")
        assert wait_until(lambda: http.get("/_refract/ready").status == 200, RECOVERY_TIMEOUT), "ready once it is back"
        got = http.get(object_path(CLOUD, key))
        assert (got.status, got.body) == (200, b"sunny again")
        assert gateway.process.poll() is None, "the gateway was not restarted"
    finally:
        moto.stop()


def test_gateway_starts_with_an_unreachable_store_and_serves_it_once_it_is_up(start_gateway, tmp_path, key_prefix):
    port = free_port()
    s3 = S3StoreSettings(
        endpoint=f"http://127.0.0.1:{port}",
        access_key_id="AKIAE2EUNREACHABLE00",
        secret_access_key="e2e-unreachable-secret-0123456789abcdef",
        name="unreachable-store",
        connect_timeout="2s",
    )
    gateway = start_gateway(s3, cloud_and_disk(s3))
    http = GatewayHTTP(gateway.host, gateway.port)
    assert logged_line(gateway, "store unreachable", "store=unreachable-store", f"at={s3.endpoint}"), (
        "the log names the store it could not reach"
    )
    assert http.get("/_refract/health").status == 200
    limit = 2 + TIMEOUT_MARGIN
    assert_unavailable_within(lambda: http.get("/_refract/ready"), limit)
    assert_unavailable_within(lambda: http.get(object_path(CLOUD, "photo.jpg")), limit)
    put(http, DISK, key_prefix + "local.txt", b"served from disk")
    assert http.get(object_path(DISK, key_prefix + "local.txt")).body == b"served from disk"

    moto = MotoServer(tmp_path / "moto.log", port=port)
    try:
        moto.create_buckets([real_bucket_name(CLOUD)])
        moto.client.put_object(Bucket=real_bucket_name(CLOUD), Key="photo.jpg", Body=b"finally")
        assert wait_until(lambda: http.get("/_refract/ready").status == 200, RECOVERY_TIMEOUT)
        got = http.get(object_path(CLOUD, "photo.jpg"))
        assert (got.status, got.body) == (200, b"finally")
    finally:
        moto.stop()


class Blackhole:
    """A listening socket whose accept queue is full: the kernel drops further SYNs, so connecting hangs until the
    connecting side gives up (a store behind a firewall that drops packets)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(2):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", self.port))
            self.fillers.append(filler)
        time.sleep(0.2)

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.listener.close()


class SilentStore:
    """Accepts connections and reads what comes, but never answers (a store that hangs)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


def unresponsive_store(port: int, **timeouts: str) -> S3StoreSettings:
    return S3StoreSettings(
        endpoint=f"http://127.0.0.1:{port}",
        access_key_id="AKIAE2EUNRESPONSIVE0",
        secret_access_key="e2e-unresponsive-secret-0123456789abcdef",
        name="slow-store",
        **timeouts,
    )


def test_connect_timeout_is_service_unavailable(start_gateway):
    blackhole = Blackhole()
    try:
        s3 = unresponsive_store(blackhole.port, connect_timeout="1s", read_timeout="30s")
        gateway = start_gateway(s3, cloud_and_disk(s3))
        http = GatewayHTTP(gateway.host, gateway.port)
        assert_unavailable_within(lambda: http.get(object_path(CLOUD, "key")), 1 + TIMEOUT_MARGIN)
        assert_unavailable_within(lambda: http.get("/_refract/ready"), 1 + TIMEOUT_MARGIN)
    finally:
        blackhole.close()


def test_read_timeout_is_service_unavailable(start_gateway):
    silent = SilentStore()
    try:
        s3 = unresponsive_store(silent.port, connect_timeout="2s", read_timeout="2s")
        gateway = start_gateway(s3, cloud_and_disk(s3))
        http = GatewayHTTP(gateway.host, gateway.port)
        assert_unavailable_within(lambda: http.get(object_path(CLOUD, "key")), 2 + TIMEOUT_MARGIN)
        assert_unavailable_within(lambda: http.get("/_refract/ready"), 2 + TIMEOUT_MARGIN)
        assert http.get("/_refract/health").status == 200
    finally:
        silent.close()


def test_store_dying_mid_download_aborts_the_response(start_gateway, tmp_path):
    """SPEC §6: a failure after the first body byte aborts the connection; the client never sees a short success."""
    moto = MotoServer(tmp_path / "moto.log")
    try:
        s3 = moto.store_settings(name="dying-store")
        moto.create_buckets([real_bucket_name(CLOUD)])
        size = 64 * MIB
        moto.client.put_object(Bucket=real_bucket_name(CLOUD), Key="long.bin", Body=random_bytes(size, "long"))
        gateway = start_gateway(s3, cloud_and_disk(s3))

        download = RawDownload(gateway.host, gateway.port, object_path(CLOUD, "long.bin"))
        assert (download.status, download.content_length) == (200, size)
        download.read_at_least(MIB)
        moto.stop()
        received = download.received + len(download.pending)
        while received < size:
            try:
                block = download.socket.recv(MIB)
            except ConnectionResetError:
                break
            if not block:
                break
            received += len(block)
        download.close()
        assert received < size, "the store died, yet the client got every byte"
        assert GatewayHTTP(gateway.host, gateway.port).get("/_refract/health").status == 200
    finally:
        moto.stop()
