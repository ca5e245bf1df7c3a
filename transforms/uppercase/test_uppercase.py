"""AWS's uppercase function, unmodified, under the runner, against a stand-in for the gateway.

The stand-in serves the event's ``inputS3Url`` and takes ``POST /WriteGetObjectResponse`` as the gateway does, so
the test shows that boto3 and requests, configured only by environment variables, reach the gateway's endpoints.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE.parent / "s3-object-lambda-runner" / "runner.py"
SOURCE_TEXT = "Hello, Refract! ünïcödé stays text.\nSecond line.\n"


class StandInGateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    deliveries = []

    def do_GET(self):
        body = SOURCE_TEXT.encode()
        self.send_response(200 if self.path == "/input/one-use-token" else 404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.deliveries.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def gateway():
    StandInGateway.deliveries = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def runner(gateway, tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "AKIDRUNNERTEST",
        "AWS_SECRET_ACCESS_KEY": "runner-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": gateway,
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "NO_PROXY": "127.0.0.1,localhost",
    }
    process = subprocess.Popen(
        [sys.executable, str(RUNNER), "--handler", str(HERE / "uppercase.py") + ":lambda_handler", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, text=True)
    line = process.stdout.readline()
    assert line.startswith("listening on http://"), process.stderr.read()
    yield line.split()[-1]
    process.terminate()
    _, errors = process.communicate(timeout=10)
    assert process.returncode == 0, errors


def test_uppercase_delivers_the_object_with_write_get_object_response(gateway, runner):
    event = {
        "xAmzRequestId": "req-upper-1",
        "getObjectContext": {
            "inputS3Url": f"{gateway}/input/one-use-token",
            "outputRoute": "io-req-upper-1",
            "outputToken": "single-use-token",
        },
        "configuration": {"accessPointArn": "arn:aws:s3-object-lambda:refract:000000000000:accesspoint/docs",
                          "supportingAccessPointArn": "arn:aws:s3:refract:000000000000:accesspoint/docs"},
        "userRequest": {"url": "http://gateway/docs/a.txt!uppercase", "headers": {"Host": "gateway"}},
        "userIdentity": {"type": "Unknown"},
        "protocolVersion": "1.00",
    }
    request = urllib.request.Request(
        runner, data=json.dumps(event).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000)})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["X-Amz-Executed-Version"] == "$LATEST"
        assert response.headers["X-Amz-Function-Error"] is None
        assert json.loads(response.read()) == {"status_code": 200}

    [delivery] = StandInGateway.deliveries
    assert delivery["path"] == "/WriteGetObjectResponse"
    assert delivery["body"] == SOURCE_TEXT.upper().encode()
    headers = {name.lower(): value for name, value in delivery["headers"].items()}
    assert headers["x-amz-request-route"] == "io-req-upper-1"
    assert headers["x-amz-request-token"] == "single-use-token"
    # No route prefix on the host: the gateway is addressed as configured.
    assert headers["host"] == gateway.removeprefix("http://")
    # boto3 signs WriteGetObjectResponse for the service s3-object-lambda, not s3: the gateway accepts both.
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDRUNNERTEST/")
    assert "/us-east-1/s3-object-lambda/aws4_request," in headers["authorization"]
