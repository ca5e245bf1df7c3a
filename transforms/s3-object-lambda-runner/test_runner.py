"""The runner with a small stand-in handler: Invoke-style answers, errors, deadlines, logs and shutdown."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "runner.py"

HANDLER = textwrap.dedent("""\
    import logging
    import os
    import sys
    import time

    def lambda_handler(event, context):
        action = event["configuration"].get("payload", "")
        if action == "fail":
            raise ValueError("the payload asked for a failure")
        if action == "sleep":
            time.sleep(0.6)
        if action == "unserializable":
            return {"when": object()}
        if action == "exit":
            sys.exit(3)
        print("handled", event["xAmzRequestId"])
        logging.getLogger().warning("warned while handling")
        return {
            "requestId": context.aws_request_id,
            "remaining": context.get_remaining_time_in_millis(),
            "functionName": context.function_name,
            "functionVersion": context.function_version,
            "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb,
            "logGroup": context.log_group_name,
            "logStream": context.log_stream_name,
            "cwd": os.getcwd(),
            "environmentName": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        }
""")


class Runner:
    def __init__(self, handler_file, *arguments):
        self.process = subprocess.Popen(
            [sys.executable, str(RUNNER), "--handler", f"{handler_file}:lambda_handler", "--port", "0", *arguments],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening on http://"):
            self.process.kill()
            raise AssertionError(f"runner did not start: {line!r} {self.process.communicate()[1]}")
        self.host, port = line.split("http://")[1].strip().rsplit(":", 1)
        self.port = int(port)

    def post(self, body, headers=None, connection=None):
        connection = connection or http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.request("POST", "/", body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        output, errors = self.process.communicate(timeout=15)
        return self.process.returncode, output, errors


def event(request_id, payload=""):
    return json.dumps({
        "xAmzRequestId": request_id,
        "getObjectContext": {"inputS3Url": "http://127.0.0.1:1/in", "outputRoute": "r", "outputToken": "t"},
        "configuration": {"accessPointArn": "arn:aws:s3-object-lambda:refract:000000000000:accesspoint/b",
                          "supportingAccessPointArn": "arn:aws:s3:refract:000000000000:accesspoint/b",
                          "payload": payload},
        "userRequest": {"url": "http://gateway/b/k!fn", "headers": {}},
        "userIdentity": {"type": "Unknown"},
        "protocolVersion": "1.00",
    }).encode()


@pytest.fixture
def handler_file(tmp_path):
    folder = tmp_path / "function"
    folder.mkdir()
    path = folder / "stand_in.py"
    path.write_text(HANDLER)
    return path


@pytest.fixture
def runner(handler_file):
    runner = Runner(handler_file, "--timeout", "7")
    yield runner
    if runner.process.poll() is None:
        runner.process.kill()
        runner.process.communicate()


def test_answers_like_the_invoke_api_with_the_handlers_return_value(runner, handler_file):
    deadline = int(time.time() * 1000) + 5000
    status, headers, body = runner.post(event("req-1"), {"Lambda-Runtime-Deadline-Ms": str(deadline)})
    assert status == 200
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert headers["X-Amz-Function-Error"] is None
    assert headers["Content-Type"] == "application/json"
    result = json.loads(body)
    assert result["requestId"] == "req-1"
    assert 4000 < result["remaining"] <= 5000
    assert result["functionName"] == "stand_in"
    assert result["functionVersion"] == "$LATEST"
    assert result["arn"].startswith("arn:aws:lambda:") and result["arn"].endswith(":function:stand_in")
    assert result["memory"] == "128"
    assert result["logGroup"] == "/aws/lambda/stand_in"
    assert result["logStream"]
    assert result["cwd"] == str(handler_file.parent)
    assert result["environmentName"] == "stand_in"

    code, output, errors = runner.stop()
    assert code == 0
    assert "handled req-1" in output.splitlines()
    assert "START RequestId: req-1 Version: $LATEST" in errors
    assert "END RequestId: req-1" in errors
    assert "REPORT RequestId: req-1" in errors
    warnings = [line for line in errors.splitlines() if line.startswith("[WARNING]")]
    assert len(warnings) == 1 and warnings[0].endswith("\treq-1\twarned while handling"), warnings
    # Lambda's task root is read-only: importing the handler leaves no __pycache__ beside it.
    assert not (handler_file.parent / "__pycache__").exists()


def test_without_a_deadline_header_the_timeout_applies(runner):
    status, _, body = runner.post(event("req-2"))
    assert status == 200
    assert 6000 < json.loads(body)["remaining"] <= 7000


def test_a_raising_handler_is_reported_as_an_unhandled_function_error(runner):
    status, headers, body = runner.post(event("req-3", payload="fail"))
    assert status == 200
    assert headers["X-Amz-Function-Error"] == "Unhandled"
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    error = json.loads(body)
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "the payload asked for a failure"
    assert error["requestId"] == "req-3"
    assert len(error["stackTrace"]) == 1, "only the handler's frames, not the runner's"
    assert "in lambda_handler" in error["stackTrace"][0]
    assert 'raise ValueError("the payload asked for a failure")' in error["stackTrace"][0]

    _, _, errors = runner.stop()
    assert "[ERROR] ValueError: the payload asked for a failure" in errors


def test_a_result_that_is_not_json_is_a_marshal_error(runner):
    status, headers, body = runner.post(event("req-4", payload="unserializable"))
    assert status == 200
    assert headers["X-Amz-Function-Error"] == "Unhandled"
    assert json.loads(body)["errorType"] == "Runtime.MarshalError"


def test_sys_exit_in_the_handler_is_an_exit_error_and_the_runner_lives_on(runner):
    status, headers, body = runner.post(event("req-7", payload="exit"))
    assert status == 200
    assert headers["X-Amz-Function-Error"] == "Unhandled"
    assert json.loads(body)["errorType"] == "Runtime.ExitError"
    assert runner.post(event("req-8"))[0] == 200


def test_an_event_over_lambdas_payload_limit_is_refused_unread(runner):
    with socket.create_connection((runner.host, runner.port), timeout=10) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: runner\r\nContent-Length: 6291457\r\n\r\n")
        answer = connection.makefile("rb").read()  # the runner answers and closes without waiting for the body
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"X-Amzn-ErrorType: RequestTooLargeException" in answer


def test_bad_json_is_a_bad_request(runner):
    status, headers, body = runner.post(b"{not json")
    assert status == 400
    assert headers["X-Amzn-ErrorType"] == "InvalidRequestContentException"
    assert headers["X-Amz-Executed-Version"] is None
    assert "Could not parse request body into json" in json.loads(body)["message"]


def test_a_chunked_event_is_read_whole(runner):
    body = event("req-5")
    connection = http.client.HTTPConnection(runner.host, runner.port, timeout=10)
    connection.request("POST", "/", body=iter([body[:10], body[10:]]),
                       headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["requestId"] == "req-5"


def test_one_connection_carries_several_invocations(runner):
    connection = http.client.HTTPConnection(runner.host, runner.port, timeout=10)
    for number in range(3):
        status, _, body = runner.post(event(f"req-keep-{number}"), connection=connection)
        assert status == 200
        assert json.loads(body)["requestId"] == f"req-keep-{number}"


def test_invocations_run_concurrently(runner):
    results = []

    def invoke(number):
        results.append(runner.post(event(f"req-slow-{number}", payload="sleep"))[0])

    started = time.monotonic()
    threads = [threading.Thread(target=invoke, args=(number,)) for number in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200]
    assert time.monotonic() - started < 1.5, "three 0.6 s invocations should overlap"


def test_sigterm_lets_a_running_invocation_finish(runner):
    answers = []
    thread = threading.Thread(target=lambda: answers.append(runner.post(event("req-6", payload="sleep"))))
    thread.start()
    time.sleep(0.2)
    code, _, errors = runner.stop()
    thread.join()
    assert code == 0, errors
    assert answers and answers[0][0] == 200
    assert answers[0][1]["Connection"] == "close"
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection(runner.host, runner.port, timeout=2).request("POST", "/", body=b"{}")


def test_a_missing_handler_function_stops_the_runner_with_a_message(handler_file):
    process = subprocess.run(
        [sys.executable, str(RUNNER), "--handler", f"{handler_file}:no_such_function", "--port", "0"],
        capture_output=True, text=True, timeout=30)
    assert process.returncode != 0
    assert "no function 'no_such_function'" in process.stderr
    assert "listening" not in process.stdout


def test_an_import_error_in_the_module_stops_the_runner(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import module_that_does_not_exist\n")
    process = subprocess.run(
        [sys.executable, str(RUNNER), "--handler", f"{broken}:lambda_handler", "--port", "0"],
        capture_output=True, text=True, timeout=30, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert process.returncode != 0
    assert "module_that_does_not_exist" in process.stderr
