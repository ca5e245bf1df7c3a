"""http plugins (SPEC §5, issue 7): S3 Object Lambda functions, unmodified, hosted by
transforms/s3-object-lambda-runner and answering with boto3's `write_get_object_response` through the gateway; and a
function that answers its POST with the object itself."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gateway_config import PUBLIC_BUCKET, READER, write_gateway_config
from images import upload
from refract_process import RefractProcess
from s3_http import GatewayHTTP, assert_s3_error

REPOSITORY = Path(__file__).resolve().parents[2]
RUNNER = REPOSITORY / "transforms/s3-object-lambda-runner/runner.py"
UPPERCASE = REPOSITORY / "transforms/uppercase/uppercase.py"
TEXT = b"Refract hosts S3 Object Lambda functions.\n" * 50

HANDLERS = {
    "reports-error": """import boto3

def lambda_handler(event, context):
    ctx = event["getObjectContext"]
    boto3.client("s3").write_get_object_response(
        RequestRoute=ctx["outputRoute"], RequestToken=ctx["outputToken"],
        StatusCode=404, ErrorCode="NoSuchKey", ErrorMessage="The function found nothing to show.")
    return {"status_code": 404}
""",
    "never-answers": """def lambda_handler(event, context):
    return {"status_code": 200}
""",
    "raises": """def lambda_handler(event, context):
    raise ValueError("the function broke")
""",
    "too-slow": """import time

def lambda_handler(event, context):
    time.sleep(30)
    return {"status_code": 200}
""",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DirectFunction(BaseHTTPRequestHandler):
    """A function answering its POST with the object itself: the input reversed line by line, and what the event
    carried in x-amz-meta-* headers."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        event = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with urllib.request.urlopen(event["getObjectContext"]["inputS3Url"], timeout=10) as source:
            lines = source.read().splitlines(keepends=True)
        body = b"".join(reversed(lines))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-meta-payload", event["configuration"].get("payload", "none"))
        self.send_header("x-amz-meta-deadline", self.headers.get("lambda-runtime-deadline-ms", ""))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class Runner:
    def __init__(self, handler: Path, port: int, gateway_url: str, log: Path):
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_S3": gateway_url,
            "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
            "AWS_ACCESS_KEY_ID": READER.access_key_id,
            "AWS_SECRET_ACCESS_KEY": READER.secret_access_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        self.log = log
        self.process = subprocess.Popen(
            ["python3", str(RUNNER), "--handler", f"{handler}:lambda_handler", "--port", str(port)],
            stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env,  # noqa: SIM115
        )
        deadline = time.monotonic() + 20
        while "listening on" not in log.read_text(errors="replace"):
            assert self.process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def lambda_gateway(tmp_path_factory) -> Iterator[tuple[RefractProcess, GatewayHTTP]]:
    directory = tmp_path_factory.mktemp("object-lambda")
    plugins = directory / "plugins"
    handlers = {"uppercase": UPPERCASE}
    for name, code in HANDLERS.items():
        handlers[name] = directory / f"{name.replace('-', '_')}.py"
        handlers[name].write_text(code)
    ports = {name: free_port() for name in [*handlers, "direct"]}
    for name, port in ports.items():
        (plugins / name).mkdir(parents=True)
        timeout = "3s" if name == "too-slow" else "20s"
        (plugins / name / "transform.yml").write_text(
            f"name: {name}\nversion: 1.0.0\nruntime: http\nurl: http://127.0.0.1:{port}/\ntimeout: {timeout}\n"
            'accepts: ["text/*"]\n'
        )
    (plugins / "lines").mkdir()
    (plugins / "lines" / "transform.yml").write_text('name: lines\nruntime: exec\ncommand: ["python3", "lines.py"]\n')
    (plugins / "lines" / "lines.py").write_text(
        "import sys\nsys.stdout.write('Content-Type: text/plain\\n\\n')\n"
        "for number, line in enumerate(sys.stdin, 1):\n    sys.stdout.write(f'{number}: {line}')\n"
    )
    config = write_gateway_config(directory)
    config.write_text(config.read_text() + f"transforms:\n  plugins: {{dir: {plugins}}}\n")
    gateway = RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"], cwd=directory, log_path=directory / "log"
    )
    runners = [
        Runner(handler, ports[name], gateway.url, directory / f"runner-{name}.log") for name, handler in handlers.items()
    ]
    direct = ThreadingHTTPServer(("127.0.0.1", ports["direct"]), DirectFunction)
    threading.Thread(target=direct.serve_forever, daemon=True).start()
    http = GatewayHTTP(gateway.host, gateway.port)
    upload(http, "lambda/text.txt", TEXT, "text/plain")
    yield gateway, http
    direct.shutdown()
    for runner in runners:
        runner.stop()
    gateway.stop()


@pytest.fixture
def http(lambda_gateway) -> GatewayHTTP:
    return lambda_gateway[1]


PATH = f"/{PUBLIC_BUCKET}/lambda/text.txt"


def test_aws_uppercase_example_runs_unmodified_through_the_runner(http):
    reply = http.get(f"{PATH}!uppercase")
    assert reply.status == 200, reply.body[:500]
    assert reply.body == TEXT.upper()
    assert reply.header("etag")


def test_an_error_reported_with_fwd_error_code_reaches_the_client(http):
    error = assert_s3_error(http.get(f"{PATH}!reports-error"), 404, "NoSuchKey")
    assert error.message == "The function found nothing to show."


def test_a_function_that_never_sends_the_object(http):
    assert_s3_error(http.get(f"{PATH}!never-answers"), 500, "LambdaResponseNotReceived")


def test_a_function_that_raises(http):
    assert_s3_error(http.get(f"{PATH}!raises"), 500, "LambdaRuntimeError")


def test_a_function_past_its_timeout(http):
    assert_s3_error(http.get(f"{PATH}!too-slow"), 500, "LambdaTimeout")


def test_tokens_are_single_use(http, lambda_gateway):
    # A second WriteGetObjectResponse with a used token is refused: replay a request with made-up values.
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3", endpoint_url=lambda_gateway[0].url, aws_access_key_id=READER.access_key_id,
        aws_secret_access_key=READER.secret_access_key, region_name="us-east-1",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )
    with pytest.raises(client.exceptions.ClientError) as raised:
        client.write_get_object_response(RequestRoute="io-nothing", RequestToken="made-up", Body=b"x")
    assert raised.value.response["Error"]["Code"] == "InvalidRequest"


def test_a_function_answering_directly_streams_its_response_and_reads_a_presigned_input(http):
    reply = http.get(f"{PATH}!direct")
    assert reply.status == 200
    assert reply.body == b"".join(reversed(TEXT.splitlines(keepends=True)))
    assert reply.header("x-amz-meta-payload") == "none"
    assert int(reply.header("x-amz-meta-deadline")) > time.time() * 1000


def test_an_http_step_after_another_step_reads_that_steps_output(http):
    reply = http.get(f"{PATH}!lines!uppercase")
    assert reply.status == 200
    expected = b"".join(f"{n}: ".encode() + line.upper() for n, line in enumerate(TEXT.splitlines(True), 1))
    assert reply.body == expected


def test_the_gateway_still_serves_after_every_failure(http):
    assert http.get("/_refract/health").status == 200
