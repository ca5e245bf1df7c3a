"""Plugin transforms (SPEC §5, issue 7) through a real gateway: exec plugins that behave and plugins that crash, hang,
print malformed CGI headers, exit 0 with no output, flood stdout and ignore stdin. Each gets its documented error,
the gateway keeps serving, and `ps` shows no process of the plugin left behind."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from http.client import HTTPConnection, HTTPResponse, IncompleteRead
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway_config import PUBLIC_BUCKET, write_gateway_config
from images import upload
from refract_process import RefractProcess, refract_binary, run_refract_expecting_exit
from s3_http import GatewayHTTP, assert_s3_error, object_path

MARKER = "refract-e2e-plugin"  # in every test plugin's command line, so `ps` finds what they leave behind

PLUGINS = {
    # name: (manifest extras, program)
    "passthrough": (
        "parameters: {level: {type: integer, min: 1, max: 5, default: 3}}\n",
        """import os, sys
sys.stdout.buffer.write(b"Content-Type: " + os.environ["CONTENT_TYPE"].encode() + b"\\r\\n")
sys.stdout.buffer.write(b"x-amz-meta-level: " + os.environ["REFRACT_PARAM_LEVEL"].encode() + b"\\r\\n\\r\\n")
while chunk := sys.stdin.buffer.read(65536):
    sys.stdout.buffer.write(chunk)
""",
    ),
    "crash": ("", "import sys\nsys.stderr.write('crash: something broke\\n')\nsys.exit(3)\n"),
    "hang": ("timeout: 2s\n", "import time\ntime.sleep(600)\n"),
    "malformed": ("", "print('this is not a header line')\nprint()\nprint('body')\n"),
    "silent": ("", "import sys\nsys.stdin.buffer.read()\n"),
    "flood": (
        "max_output: 1MiB\n",
        "import sys\nsys.stdout.write('Content-Type: text/plain\\n\\n')\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
    ),
    "deaf": ("", "print('Content-Type: text/plain')\nprint()\nprint('answered without reading', flush=True)\n"),
    "dies-midway": (
        "",
        "import sys\nsys.stdout.write('Content-Type: text/plain\\n\\n' + 'y' * 100000)\nsys.stdout.flush()\nsys.exit(4)\n",
    ),
    "trickle": (
        "timeout: 60s\n",
        "import sys, time\nsys.stdout.write('Content-Type: text/plain\\n\\nfirst line\\n')\nsys.stdout.flush()\n"
        "time.sleep(600)\n",
    ),
    "slow": (
        "concurrency: 1\nqueue_limit: 0\n",
        "import sys, time\nsys.stdin.buffer.read()\ntime.sleep(3)\nprint('Content-Type: text/plain\\n\\ndone')\n",
    ),
    "notfound": ("", "print('Status: 404 Not Found')\nprint('Content-Type: text/plain')\nprint()\nprint('no such thing')\n"),
}


def write_plugin(root: Path, name: str, extras: str, program: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "plugin.py").write_text(program)
    (folder / "transform.yml").write_text(
        f"name: {name}\nversion: 1.0.0\ndescription: e2e plugin {name}\nruntime: exec\n"
        f'command: ["python3", "plugin.py", "{MARKER}"]\n{extras}'
    )


def leftover_plugin_processes() -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,stat,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines() if MARKER in line and "ps -eo" not in line]


def wait_for_no_leftovers(timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while leftover_plugin_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftover_plugin_processes() == []


@pytest.fixture(scope="module")
def plugin_gateway(tmp_path_factory) -> Iterator[RefractProcess]:
    directory = tmp_path_factory.mktemp("plugins-gateway")
    plugins = directory / "plugins"
    for name, (extras, program) in PLUGINS.items():
        write_plugin(plugins, name, extras, program)
    config = write_gateway_config(directory)
    config.write_text(config.read_text() + f"transforms:\n  plugins: {{dir: {plugins}}}\n")
    gateway = RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"], cwd=directory, log_path=directory / "log"
    )
    yield gateway
    gateway.stop()
    wait_for_no_leftovers()


@pytest.fixture(scope="module")
def http(plugin_gateway) -> GatewayHTTP:
    return GatewayHTTP(plugin_gateway.host, plugin_gateway.port)


@pytest.fixture(scope="module")
def text_path(http) -> str:
    return upload(http, "plugins/notes.txt", b"hello plugin\n" * 1000, "text/plain")


@pytest.fixture(autouse=True)
def gateway_keeps_serving(plugin_gateway, http) -> Iterator[None]:
    yield
    assert http.get("/_refract/health").status == 200
    wait_for_no_leftovers()


def test_a_plugin_streams_the_object_through_with_its_headers_and_parameters(http, text_path):
    reply = http.get(f"{text_path}!passthrough:level=5")
    assert reply.status == 200
    assert reply.body == b"hello plugin\n" * 1000
    assert reply.header("content-type") == "text/plain"
    assert reply.header("x-amz-meta-level") == "5"
    assert http.get(f"{text_path}!passthrough").header("x-amz-meta-level") == "3"


def test_a_plugin_response_announces_that_its_connection_closes(plugin_gateway, text_path):
    # The gateway watches the connection while a plugin runs and closes it after the response: keep-alive clients
    # must be told, or their next request on it fails.
    sock = socket.create_connection((plugin_gateway.host, plugin_gateway.port), timeout=30)
    sock.sendall(f"GET {text_path}!passthrough HTTP/1.1\r\nHost: e2e\r\n\r\n".encode())
    response = HTTPResponse(sock, method="GET")
    response.begin()
    assert response.status == 200 and response.read() == b"hello plugin\n" * 1000
    assert response.getheader("connection") == "close"
    assert sock.recv(1) == b"", "the gateway should close the connection after the response"
    sock.close()


def test_parameters_are_checked_against_the_manifest_before_anything_runs(http, text_path):
    assert_s3_error(http.get(f"{text_path}!passthrough:level=9"), 400, "InvalidTransform")
    assert_s3_error(http.get(f"{text_path}!passthrough:colour=red"), 400, "InvalidTransform")


def test_a_plugin_is_a_step_like_any_other(http, text_path):
    reply = http.get(f"{text_path}!passthrough!passthrough:level=1")
    assert reply.status == 200 and reply.body == b"hello plugin\n" * 1000


def test_a_crash_before_the_body_is_a_502_and_its_stderr_reaches_the_log(plugin_gateway, http, text_path):
    reply = http.get(f"{text_path}!crash")
    error = assert_s3_error(reply, 502, "TransformFailed")
    assert "3" in error.message
    request_id = reply.request_id
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "crash: something broke" not in plugin_gateway.log_text():
        time.sleep(0.05)
    lines = [line for line in plugin_gateway.log_text().splitlines() if "crash: something broke" in line]
    assert lines and request_id in lines[0]


def test_a_hanging_plugin_is_killed_at_its_timeout(http, text_path):
    assert_s3_error(http.get(f"{text_path}!hang"), 504, "TransformTimeout")


def test_malformed_cgi_headers_are_a_502(http, text_path):
    assert_s3_error(http.get(f"{text_path}!malformed"), 502, "TransformFailed")


def test_exit_zero_without_output_is_a_502(http, text_path):
    assert_s3_error(http.get(f"{text_path}!silent"), 502, "TransformFailed")


def test_a_flood_past_max_output_aborts_the_response(plugin_gateway, text_path):
    connection = HTTPConnection(plugin_gateway.host, plugin_gateway.port, timeout=30)
    connection.request("GET", f"{text_path}!flood")
    response = connection.getresponse()
    assert response.status == 200
    with pytest.raises(IncompleteRead):
        response.read()
    connection.close()


def test_a_plugin_that_ignores_stdin_still_answers(http):
    path = upload(http, "plugins/big.bin", os.urandom(8 << 20), "application/octet-stream")
    reply = http.get(f"{path}!deaf")
    assert reply.status == 200 and reply.body == b"answered without reading\n"


def test_a_plugin_dying_after_its_body_began_aborts_the_connection(plugin_gateway, text_path):
    connection = HTTPConnection(plugin_gateway.host, plugin_gateway.port, timeout=30)
    connection.request("GET", f"{text_path}!dies-midway")
    response = connection.getresponse()
    with pytest.raises(IncompleteRead):
        response.read()
    connection.close()


def test_a_client_that_disconnects_kills_the_plugin(plugin_gateway, text_path):
    sock = socket.create_connection((plugin_gateway.host, plugin_gateway.port), timeout=30)
    sock.sendall(f"GET {text_path}!trickle HTTP/1.1\r\nHost: e2e\r\n\r\n".encode())
    assert b"first line" in sock.recv(65536) or b"first line" in sock.recv(65536)
    assert leftover_plugin_processes(), "the plugin should be running while the client is connected"
    sock.close()
    wait_for_no_leftovers()


def test_one_run_too_many_is_slowed_down(http, text_path):
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(http.get, f"{text_path}!slow")
        time.sleep(1)
        second = http.get(f"{text_path}!slow")
        assert_s3_error(second, 503, "SlowDown")
        assert second.header("retry-after")
        assert first.result().status == 200


def test_a_plugin_status_is_answered_as_is_without_an_etag(http, text_path):
    reply = http.get(f"{text_path}!notfound")
    assert reply.status == 404
    assert reply.body == b"no such thing\n"
    assert reply.header("etag") is None


def test_refract_transforms_lists_plugins_with_their_parameters(plugin_gateway):
    config = Path(plugin_gateway.log_path).parent / "refract.yml"
    listing = subprocess.run(
        [str(refract_binary()), "transforms", "--config", str(config)], capture_output=True, text=True, check=True
    ).stdout
    assert "passthrough 1.0.0 (plugin): e2e plugin passthrough" in listing
    assert "level: integer 1...5, default 3." in listing
    assert "resize" in listing


@pytest.mark.parametrize(
    ("manifest", "key", "problem"),
    [
        ("name: other\nruntime: exec\ncommand: [true]\n", "name", "folder's name"),
        ("name: broken\nruntime: exec\n", "", "command"),
        ("name: broken\nruntime: ftp\ncommand: [true]\n", "runtime", "exec, http"),
        ("name: broken\nruntime: exec\ncommand: [true]\ntimeout: soon\n", "timeout", "duration"),
        ("name: broken\nruntime: http\nurl: localhost\n", "url", "http://"),
        (
            "name: broken\nruntime: exec\ncommand: [true]\nparameters: {n: {type: integer, min: 1, max: 3, default: 7}}\n",
            "parameters.n.default",
            "1...3",
        ),
        ("name: broken\nruntime: exec\ncommand: [true]\ncolour: red\n", "colour", "unknown"),
    ],
)
def test_an_invalid_manifest_stops_the_gateway_naming_file_and_key(tmp_path, manifest, key, problem):
    plugins = tmp_path / "plugins"
    (plugins / "broken").mkdir(parents=True)
    (plugins / "broken" / "transform.yml").write_text(manifest)
    config = write_gateway_config(tmp_path)
    config.write_text(config.read_text() + f"transforms:\n  plugins: {{dir: {plugins}}}\n")
    result = run_refract_expecting_exit(["serve", "--config", str(config), "--port", "0"], cwd=tmp_path)
    assert result.returncode != 0
    assert "broken/transform.yml" in result.stderr
    assert key in result.stderr and problem in result.stderr.lower(), result.stderr


def test_a_plugin_named_like_a_builtin_is_refused(tmp_path):
    plugins = tmp_path / "plugins"
    write_plugin(plugins, "resize", "", "print()")
    config = write_gateway_config(tmp_path)
    config.write_text(config.read_text() + f"transforms:\n  plugins: {{dir: {plugins}}}\n")
    result = run_refract_expecting_exit(["serve", "--config", str(config), "--port", "0"], cwd=tmp_path)
    assert result.returncode != 0 and "built-in" in result.stderr


def test_invoke_runs_a_plugin_without_a_server_and_reports_time_and_memory(tmp_path, plugin_gateway):
    config = Path(plugin_gateway.log_path).parent / "refract.yml"
    source = tmp_path / "in.txt"
    source.write_bytes(b"local text\n" * 100)
    result = subprocess.run(
        [str(refract_binary()), "invoke", "passthrough", "--config", str(config), "--input", str(source),
         "--param", "level=2", "-o", str(tmp_path / "out.txt")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.txt").read_bytes() == b"local text\n" * 100
    assert " ms" in result.stderr and "peak memory" in result.stderr and "1100 bytes" in result.stderr


def test_invoke_reads_a_stored_object_and_mixes_builtins_and_plugins(http, plugin_gateway, tmp_path):
    config = Path(plugin_gateway.log_path).parent / "refract.yml"
    upload(http, "plugins/invoke.txt", b"stored\n", "text/plain")
    result = subprocess.run(
        [str(refract_binary()), "invoke", "passthrough!passthrough", "--config", str(config),
         "--input", f"{PUBLIC_BUCKET}/plugins/invoke.txt"],
        capture_output=True, timeout=60, cwd=Path(plugin_gateway.log_path).parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"stored\n"


def test_invoke_reports_a_plugin_failure_with_its_code(plugin_gateway, tmp_path):
    config = Path(plugin_gateway.log_path).parent / "refract.yml"
    source = tmp_path / "in.txt"
    source.write_text("x")
    result = subprocess.run(
        [str(refract_binary()), "invoke", "crash", "--config", str(config), "--input", str(source)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0 and "TransformFailed" in result.stderr
