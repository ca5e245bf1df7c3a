"""Upload pipelines (SPEC §4, issue 8) through real gateways: derivatives on upload, `kill -9` right after the PUT
is answered, duplicate and out-of-order S3 event notifications, retries into the dead letter and `refract jobs
retry`, outputs that never trigger, deletes, backfill, and two gateways sharing one PostgreSQL queue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway_config import ADMIN, PRIVATE_BUCKET, PUBLIC_BUCKET, write_gateway_config
from images import dimensions, exiftool_write, image_format, photo
from postgres_server import PostgresServer, free_port
from refract_process import RefractProcess, refract_binary
from s3_http import GatewayHTTP, assert_s3_error, object_path

EVENTS_TOKEN = "e2e-events-token-3f9a"
WAIT = 90

PIPELINES = f"""
pipelines:
  - name: thumbnails
    bucket: {PUBLIC_BUCKET}
    events: [put, delete]
    match: {{prefix: "uploads/", suffix: [".jpg", ".jpeg", ".png"]}}
    outputs:
      - {{key: "resized/480/{{key}}", pipeline: "resize:w=480"}}
      - {{key: "resized/1000/{{stem}}.webp", pipeline: "resize:w=1000!format:webp"}}
      - {{key: "meta/{{key}}.json", pipeline: "exif"}}
  - name: copies
    bucket: {PRIVATE_BUCKET}
    match: {{prefix: ""}}
    outputs:
      - {{key: "copies/{{key}}", pipeline: "flaky"}}
    retry: {{max_attempts: 3, backoff: 100ms, max_backoff: 200ms}}
"""

FLAKY = """import os, sys
if os.path.exists(MARKER_PATH):
    sys.stderr.write("flaky: broken on purpose\\n")
    sys.exit(1)
sys.stdout.write("Content-Type: text/plain\\n\\n")
sys.stdout.flush()
sys.stdout.buffer.write(b"copy of " + sys.stdin.buffer.read())
"""


def gateway_config(directory: Path, queue_url: str, port: int = 0) -> Path:
    plugins = directory / "plugins"
    (plugins / "flaky").mkdir(parents=True, exist_ok=True)
    (plugins / "flaky" / "flaky.py").write_text(FLAKY.replace("MARKER_PATH", repr(str(directory / "broken"))))
    (plugins / "flaky" / "transform.yml").write_text('name: flaky\nruntime: exec\ncommand: ["python3", "flaky.py"]\n')
    config = write_gateway_config(directory)
    text = config.read_text().replace("  port: 0", f"  port: {port}")
    text = text.replace("security:\n", f"security:\n  events_token: {EVENTS_TOKEN}\n")
    config.write_text(
        text + PIPELINES + f"queue: {{url: {queue_url}}}\ntransforms:\n  plugins: {{dir: {plugins}}}\n"
    )
    return config


def start(directory: Path, config: Path, name: str = "refract") -> RefractProcess:
    return RefractProcess(["--config", str(config)], cwd=directory, log_path=directory / f"{name}.log")


def refract(config: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(refract_binary()), *args, "--config", str(config)], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def jobs(http: GatewayHTTP, state: str | None = None) -> dict:
    query = [("limit", "1000")] + ([("state", state)] if state else [])
    reply = http.request("GET", "/_refract/jobs", query=query, credentials=ADMIN)
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


def put(http: GatewayHTTP, bucket: str, key: str, data: bytes, content_type: str = "image/jpeg") -> str:
    reply = http.request(
        "PUT", object_path(bucket, key), body=data, headers={"content-type": content_type}, credentials=ADMIN
    )
    assert reply.status == 200, reply.body
    return reply.header("etag").strip('"')


def stored(http: GatewayHTTP, bucket: str, key: str):
    reply = http.request("GET", object_path(bucket, key), credentials=ADMIN)
    return reply if reply.status == 200 else None


# SPEC §4's example: `{stem}` is the file name without its folder or extension.
DERIVATIVES = ["resized/480/uploads/{name}", "resized/1000/{stem}.webp", "meta/uploads/{name}.json"]


def derivatives_of(name: str) -> list[str]:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return [template.format(name=name, stem=stem) for template in DERIVATIVES]


@pytest.fixture(scope="module")
def sqlite_gateway(tmp_path_factory) -> Iterator[tuple[RefractProcess, GatewayHTTP, Path]]:
    directory = tmp_path_factory.mktemp("pipelines")
    config = gateway_config(directory, f"sqlite://{directory}/state/queue.db")
    gateway = start(directory, config)
    yield gateway, GatewayHTTP(gateway.host, gateway.port), config
    gateway.stop()


def test_an_upload_gets_its_derivatives_with_sizes_names_and_source_marker(sqlite_gateway):
    _, http, _ = sqlite_gateway
    source = exiftool_write(photo(1600, 1200), "-Make=Refract", "-Model=E2E")
    etag = put(http, PUBLIC_BUCKET, "uploads/2024/cat.b.jpg", source)
    outputs = ["resized/480/uploads/2024/cat.b.jpg", "resized/1000/cat.b.webp", "meta/uploads/2024/cat.b.jpg.json"]
    replies = {key: wait_for(lambda key=key: stored(http, PUBLIC_BUCKET, key), key) for key in outputs}
    assert dimensions(replies[outputs[0]].body) == (480, 360)
    assert image_format(replies[outputs[1]].body) == "webp" and dimensions(replies[outputs[1]].body) == (1000, 750)
    assert "Refract" in json.dumps(json.loads(replies[outputs[2]].body))
    for reply in replies.values():
        assert reply.header("x-amz-meta-refract-source") == f"{PUBLIC_BUCKET}/uploads/2024/cat.b.jpg@{etag}"


def test_keys_outside_the_match_and_outputs_never_trigger(sqlite_gateway):
    _, http, _ = sqlite_gateway
    put(http, PUBLIC_BUCKET, "elsewhere/dog.jpg", photo(200, 100))
    put(http, PUBLIC_BUCKET, "uploads/notes.txt", b"text", "text/plain")
    before = jobs(http)["counts"]
    # Copies in `private` match their own pipeline's prefix "": only the output pattern keeps them from looping.
    put(http, PRIVATE_BUCKET, "note.txt", b"hello", "text/plain")
    wait_for(lambda: stored(http, PRIVATE_BUCKET, "copies/note.txt"), "the copy")
    assert stored(http, PRIVATE_BUCKET, "copies/note.txt").body == b"copy of hello"
    time.sleep(2)
    after = jobs(http)
    assert sum(after["counts"].values()) == sum(before.values()) + 1
    assert not any(job["key"].startswith("copies/") for job in after["jobs"])
    assert stored(http, PRIVATE_BUCKET, "copies/copies/note.txt") is None


def test_a_delete_removes_the_derivatives(sqlite_gateway):
    _, http, _ = sqlite_gateway
    put(http, PUBLIC_BUCKET, "uploads/gone.png", photo(600, 400, fmt="png"), "image/png")
    for key in derivatives_of("gone.png"):
        wait_for(lambda key=key: stored(http, PUBLIC_BUCKET, key), key)
    reply = http.request("DELETE", object_path(PUBLIC_BUCKET, "uploads/gone.png"), credentials=ADMIN)
    assert reply.status == 204
    for key in derivatives_of("gone.png"):
        wait_for(lambda key=key: stored(http, PUBLIC_BUCKET, key) is None, f"{key} removed")


def post_events(http: GatewayHTTP, records: list[dict], token: str = EVENTS_TOKEN):
    return http.request(
        "POST", "/_refract/events/s3", body=json.dumps({"Records": records}).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )


def record(name: str, key: str, etag: str, sequencer: str) -> dict:
    return {
        "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": name,
        "s3": {"bucket": {"name": PUBLIC_BUCKET}, "object": {"key": key, "eTag": etag, "size": 1, "sequencer": sequencer}},
    }


def test_events_written_straight_to_the_store_duplicates_and_out_of_order(sqlite_gateway, tmp_path):
    gateway, http, _ = sqlite_gateway
    # Written into the store behind the gateway's back, as another writer would; the notification follows.
    folder = Path(gateway.log_path).parent / "storage" / PUBLIC_BUCKET / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "my photo.jpg").write_bytes(photo(800, 600))
    head = http.request("HEAD", object_path(PUBLIC_BUCKET, "uploads/my photo.jpg"), credentials=ADMIN)
    etag = head.header("etag").strip('"')
    put_record = record("ObjectCreated:Put", "uploads/my+photo.jpg", etag, "0055AED6DCD90281E5")
    assert post_events(http, [put_record]).status == 200
    for key in derivatives_of("my photo.jpg"):
        wait_for(lambda key=key: stored(http, PUBLIC_BUCKET, key), key)
    done = len(jobs(http, "done")["jobs"])
    # The same event again, and an older delete after it: neither redoes nor undoes anything.
    assert post_events(http, [put_record]).status == 200
    older_delete = record("ObjectRemoved:Delete", "uploads/my+photo.jpg", "", "0055AED6DCD90281E4")
    assert post_events(http, [older_delete]).status == 200
    time.sleep(2)
    assert len(jobs(http, "done")["jobs"]) == done
    for key in derivatives_of("my photo.jpg"):
        assert stored(http, PUBLIC_BUCKET, key)


def test_the_events_endpoint_wants_the_token_or_an_admin(sqlite_gateway):
    _, http, _ = sqlite_gateway
    assert_s3_error(post_events(http, [], token="wrong"), 403, "AccessDenied")
    anonymous = http.request("POST", "/_refract/events/s3", body=b'{"Records": []}')
    assert_s3_error(anonymous, 403, "AccessDenied")
    assert_s3_error(http.request("GET", "/_refract/jobs"), 403, "AccessDenied")
    bad = http.request(
        "POST", "/_refract/events/s3", body=b"not json", headers={"authorization": f"Bearer {EVENTS_TOKEN}"}
    )
    assert_s3_error(bad, 400, "InvalidArgument")


def test_a_failing_output_is_retried_dead_lettered_then_retried_by_hand(sqlite_gateway):
    gateway, http, config = sqlite_gateway
    directory = Path(gateway.log_path).parent
    marker = directory / "broken"
    marker.write_text("")
    put(http, PRIVATE_BUCKET, "fail.txt", b"data", "text/plain")
    dead = wait_for(lambda: [job for job in jobs(http, "failed")["jobs"] if job["key"] == "fail.txt"], "dead letter")
    assert dead[0]["attempts"] == 3 and "flaky" in dead[0]["lastError"]
    listing = refract(config, "jobs", "list", "--failed", cwd=directory)
    assert listing.returncode == 0 and "fail.txt" in listing.stdout and "dead" in listing.stdout
    marker.unlink()
    retried = refract(config, "jobs", "retry", str(dead[0]["id"]), cwd=directory)
    assert retried.returncode == 0, retried.stderr
    reply = wait_for(lambda: stored(http, PRIVATE_BUCKET, "copies/fail.txt"), "the copy after the retry")
    assert reply.body == b"copy of data"


def test_metrics_show_queue_depth_and_job_results(sqlite_gateway):
    _, http, _ = sqlite_gateway
    text = http.get("/_refract/metrics").body.decode()
    assert "refract_pipeline_queue_depth" in text
    assert 'refract_pipeline_jobs_total{pipeline="thumbnails",result="done"}' in text


def test_backfill_enqueues_existing_objects_with_plain_progress_lines(sqlite_gateway):
    gateway, http, config = sqlite_gateway
    directory = Path(gateway.log_path).parent
    folder = directory / "storage" / PUBLIC_BUCKET / "uploads" / "old"
    folder.mkdir(parents=True)
    for index in range(3):
        (folder / f"old{index}.jpg").write_bytes(photo(300, 200, seed=index))
    result = refract(config, "pipelines", "backfill", "thumbnails", "--prefix", "uploads/old/", cwd=directory)
    assert result.returncode == 0, result.stderr
    assert "enqueued 3 jobs" in result.stderr and "\r" not in result.stderr
    for index in range(3):
        for key in derivatives_of(f"old/old{index}.jpg"):
            wait_for(lambda key=key: stored(http, PUBLIC_BUCKET, key), key)


def test_kill_9_right_after_the_put_loses_no_job(tmp_path):
    port = free_port()
    config = gateway_config(tmp_path, f"sqlite://{tmp_path}/state/queue.db", port=port)
    gateway = start(tmp_path, config)
    http = GatewayHTTP(gateway.host, gateway.port)
    names = [f"k{index}.jpg" for index in range(6)]
    for name in names:
        put(http, PUBLIC_BUCKET, f"uploads/{name}", photo(2000, 1500, seed=len(name) + ord(name[1])))
    os.kill(gateway.pid, signal.SIGKILL)
    gateway.kill()
    listing = refract(config, "jobs", "list", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "pending" in listing.stdout.splitlines()[0]
    restarted = start(tmp_path, config, name="restarted")
    try:
        http = GatewayHTTP(restarted.host, restarted.port)
        for name in names:
            for key in derivatives_of(name):
                wait_for(lambda key=key: stored(http, PUBLIC_BUCKET, key), key)
    finally:
        restarted.stop()


def test_two_gateways_on_one_postgres_make_each_derivative_exactly_once(tmp_path):
    with PostgresServer() as postgres:
        gateways = []
        try:
            for name in ("one", "two"):
                directory = tmp_path / name
                directory.mkdir()
                config = gateway_config(directory, postgres.url)
                # Both gateways write into one store folder, as two gateways in front of one store would.
                text = config.read_text().replace(str(directory / "storage"), str(tmp_path / "one" / "storage"))
                config.write_text(text)
                gateways.append(start(directory, config))
            clients = [GatewayHTTP(gateway.host, gateway.port) for gateway in gateways]
            names = [f"pg{index}.jpg" for index in range(10)]
            for index, name in enumerate(names):
                put(clients[index % 2], PUBLIC_BUCKET, f"uploads/{name}", photo(640, 480, seed=index))
            for name in names:
                for key in derivatives_of(name):
                    wait_for(lambda key=key: stored(clients[0], PUBLIC_BUCKET, key), key)
            listing = jobs(clients[0])
            thumbnails = [job for job in listing["jobs"] if job["pipeline"] == "thumbnails"]
            assert len(thumbnails) == len(names)
            assert all(job["state"] == "done" and job["attempts"] == 1 for job in thumbnails)
            done = [
                sum(
                    float(line.rsplit(" ", 1)[1])
                    for line in client.get("/_refract/metrics").body.decode().splitlines()
                    if line.startswith('refract_pipeline_jobs_total{pipeline="thumbnails",result="done"}')
                )
                for client in clients
            ]
            assert sum(done) == len(names), done
        finally:
            for gateway in gateways:
                gateway.stop()
