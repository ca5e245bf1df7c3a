#!/usr/bin/env python3
"""Hosts an unmodified S3 Object Lambda Python function as a Refract http function.

    python3 runner.py --handler path/to/module.py:lambda_handler [--host 127.0.0.1] [--port 9100]

Every POST carries an S3 Object Lambda event (JSON). The runner calls ``handler(event, context)`` in that request's
thread, with a context shaped like AWS Lambda's Python context, and answers as AWS Lambda's Invoke API answers:
status 200, ``X-Amz-Executed-Version: $LATEST`` and the handler's return value as JSON, plus
``X-Amz-Function-Error: Unhandled`` and an error document when the handler raised. The function sends the object
itself with ``WriteGetObjectResponse`` (boto3 with ``AWS_ENDPOINT_URL_S3`` pointing at the gateway and
``AWS_DISABLE_HOST_PREFIX_INJECTION=true``).

Standard library only; the handler's module may import boto3, requests or anything else installed.
"""

import argparse
import importlib.util
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# S3 Object Lambda gives a function at most 60 seconds; used when a request carries no deadline.
DEFAULT_TIMEOUT_SECONDS = 60
MAX_EVENT_BYTES = 6 * 1024 * 1024  # AWS Lambda's limit for a synchronous invocation's payload

_invocation = threading.local()


class LambdaContext:
    """The ``context`` argument, with the attributes and methods of AWS Lambda's Python runtime."""

    def __init__(self, request_id, deadline_ms, settings):
        self.aws_request_id = request_id
        self.function_name = settings.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = settings.function_arn
        # AWS Lambda's runtime reads it from AWS_LAMBDA_FUNCTION_MEMORY_SIZE: a string, not an int.
        self.memory_limit_in_mb = str(settings.memory)
        self.log_group_name = f"/aws/lambda/{settings.function_name}"
        self.log_stream_name = settings.log_stream_name
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message):
        sys.stderr.write(message if message.endswith("\n") else message + "\n")
        sys.stderr.flush()

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name},"
            f"function_version={self.function_version},invoked_function_arn={self.invoked_function_arn},"
            f"memory_limit_in_mb={self.memory_limit_in_mb}])"
        )


class RequestIdFilter(logging.Filter):
    """Adds the running invocation's request id to log records, as AWS Lambda's log format shows it."""

    def filter(self, record):
        record.aws_request_id = getattr(_invocation, "request_id", "")
        return True


class Settings:
    """What all invocations share: the handler, the context's fixed fields, and how many are running."""

    def __init__(self, arguments, handler):
        self.handler = handler
        self.function_name = arguments.function_name
        self.memory = arguments.memory
        self.timeout = arguments.timeout
        self.function_arn = f"arn:aws:lambda:{arguments.region}:000000000000:function:{arguments.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()) + uuid.uuid4().hex
        self.in_flight = 0
        self.idle = threading.Condition()


class InvocationHandler(BaseHTTPRequestHandler):
    """One connection from the gateway: each POST is one invocation of the handler."""

    protocol_version = "HTTP/1.1"  # keep-alive, so the gateway can reuse its connections
    server_version = "s3-object-lambda-runner"

    def do_POST(self):
        settings = self.server.settings
        body = self.read_body()
        if body is None:
            return
        try:
            event = json.loads(body)
        except ValueError as error:
            self.answer_request_error(
                HTTPStatus.BAD_REQUEST, "InvalidRequestContentException",
                f"Could not parse request body into json: {error}")
            return
        request_id = self.request_id(event)
        context = LambdaContext(request_id, self.deadline_ms(settings), settings)
        with settings.idle:
            settings.in_flight += 1
        try:
            headers, result = self.invoke(settings, event, context)
            headers["X-Amz-Executed-Version"] = "$LATEST"
            headers["X-Amzn-RequestId"] = request_id
            self.answer(HTTPStatus.OK, headers, result)
        finally:
            # Counted until the answer is written, so SIGTERM does not exit before the caller has it.
            with settings.idle:
                settings.in_flight -= 1
                settings.idle.notify_all()

    def invoke(self, settings, event, context):
        """Runs the handler as AWS Lambda does: its result as JSON, or its error with ``X-Amz-Function-Error``."""
        request_id = context.aws_request_id
        _invocation.request_id = request_id
        log(f"START RequestId: {request_id} Version: $LATEST")
        started = time.monotonic()
        try:
            result = settings.handler(event, context)
        except Exception as error:  # the handler's failure is the invocation's result, as in AWS Lambda
            stack = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
            log(f"[ERROR] {type(error).__name__}: {error}\nTraceback (most recent call last):\n{''.join(stack)}")
            return self.function_error(request_id, type(error).__name__, str(error), stack)
        except SystemExit as exit:  # sys.exit() in a handler ends Lambda's runtime; here it ends the invocation
            message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {exit.code}"
            log(f"[ERROR] Runtime.ExitError: {message}")
            return self.function_error(request_id, "Runtime.ExitError", message, [])
        else:
            try:
                return {}, json.dumps(result).encode()
            except (TypeError, ValueError) as error:
                message = f"Unable to marshal response: {error}"
                log(f"[ERROR] Runtime.MarshalError: {message}")
                return self.function_error(request_id, "Runtime.MarshalError", message, [])
        finally:
            elapsed_ms = (time.monotonic() - started) * 1000
            log(f"END RequestId: {request_id}")
            log(f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\tMemory Size: {settings.memory} MB")
            _invocation.request_id = ""

    @staticmethod
    def function_error(request_id, error_type, message, stack):
        document = {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack}
        return {"X-Amz-Function-Error": "Unhandled"}, json.dumps(document).encode()

    def read_body(self):
        """The request's body (Content-Length or chunked), or None after answering a bad request."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self.read_chunked_body()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            self.answer_request_error(HTTPStatus.BAD_REQUEST, "InvalidRequestContentException",
                                      "Content-Length is not a number.")
            return None
        if length > MAX_EVENT_BYTES:
            self.close_connection = True  # the unread body would be taken for the next request
            self.answer_request_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "RequestTooLargeException",
                                      f"The event is larger than {MAX_EVENT_BYTES} bytes.")
            return None
        return self.rfile.read(length)

    def read_chunked_body(self):
        chunks, total = [], 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                self.answer_request_error(HTTPStatus.BAD_REQUEST, "InvalidRequestContentException",
                                          "The chunked body is malformed.")
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailer fields, up to the blank line
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_EVENT_BYTES:
                self.close_connection = True
                self.answer_request_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "RequestTooLargeException",
                                          f"The event is larger than {MAX_EVENT_BYTES} bytes.")
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF that ends the chunk

    def request_id(self, event):
        request_id = event.get("xAmzRequestId") if isinstance(event, dict) else None
        return request_id or self.headers.get("Lambda-Runtime-Aws-Request-Id") or str(uuid.uuid4())

    def deadline_ms(self, settings):
        try:
            return int(self.headers.get("Lambda-Runtime-Deadline-Ms", ""))
        except ValueError:
            return int(time.time() * 1000) + settings.timeout * 1000

    def answer_request_error(self, status, error_type, message):
        self.answer(status, {"X-Amzn-ErrorType": error_type},
                    json.dumps({"Type": "User", "message": message}).encode())

    def answer(self, status, headers, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        if self.server.stopping.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "POST"},
                    json.dumps({"Type": "User", "message": "POST the event to invoke the function."}).encode())

    def log_message(self, format, *args):
        pass  # the START / END / REPORT lines are the invocation log


class ThreadingHTTPServer6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def load_handler(spec):
    """``path/to/module.py:function`` -> the function, imported as AWS Lambda imports it (its folder on sys.path)."""
    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise SystemExit(f"runner: --handler must be path/to/module.py:function, got {spec!r}")
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    module_name = os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, folder)
    # Lambda's task root is read-only: no __pycache__ beside the function either.
    sys.dont_write_bytecode = True
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None:
        raise SystemExit(f"runner: cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    module_spec.loader.exec_module(module)
    handler = getattr(module, name, None)
    if not callable(handler):
        raise SystemExit(f"runner: {path} has no function {name!r}")
    return handler


def configure_logging():
    """The root logger AWS Lambda's Python runtime sets up, so ``logging`` calls reach the log with the request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def main():
    parser = argparse.ArgumentParser(description="Host an S3 Object Lambda Python function as an http function.")
    parser.add_argument("--handler", required=True, help="path/to/module.py:function")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    parser.add_argument("--function-name", help="the context's function_name (default: the module's name)")
    parser.add_argument("--memory", type=int, default=128, help="the context's memory_limit_in_mb")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_SECONDS,
                        help="seconds a request without Lambda-Runtime-Deadline-Ms may take")
    default_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    parser.add_argument("--region", default=default_region, help="for the context's invoked_function_arn")
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds SIGTERM waits for running invocations before exiting")
    arguments = parser.parse_args()
    module_path = arguments.handler.rpartition(":")[0]
    arguments.function_name = arguments.function_name or os.path.splitext(os.path.basename(module_path))[0]

    # Print output is the function's log: send each line on at once, as Lambda's log does.
    sys.stdout.reconfigure(line_buffering=True)
    configure_logging()
    # The variables AWS Lambda's runtime sets, for handlers and libraries that read them.
    for variable, value in {
        "AWS_LAMBDA_FUNCTION_NAME": arguments.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(arguments.memory),
        "AWS_REGION": arguments.region,
        "_HANDLER": arguments.handler,
    }.items():
        os.environ.setdefault(variable, value)
    os.environ["LAMBDA_TASK_ROOT"] = os.path.dirname(os.path.abspath(module_path))
    handler = load_handler(arguments.handler)
    os.chdir(os.environ["LAMBDA_TASK_ROOT"])  # a Lambda function runs in its task root and may open files there

    server_class = ThreadingHTTPServer6 if ":" in arguments.host else ThreadingHTTPServer
    server = server_class((arguments.host, arguments.port), InvocationHandler)
    server.daemon_threads = True  # an idle keep-alive connection must not hold up the exit
    server.settings = Settings(arguments, handler)
    server.stopping = threading.Event()

    def stop(signum, frame):
        if not server.stopping.is_set():
            server.stopping.set()
            # shutdown() waits for serve_forever() to return, which runs on this (the main) thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"listening on http://{shown_host}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    settings = server.settings
    with settings.idle:
        finished = settings.idle.wait_for(lambda: settings.in_flight == 0, timeout=arguments.grace)
    if not finished:
        log(f"runner: stopping with {settings.in_flight} invocation(s) still running")
        sys.exit(1)


if __name__ == "__main__":
    main()
