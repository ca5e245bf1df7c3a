/// The files `refract new-transform NAME --runtime exec|http` writes into `transforms/NAME/`.
///
/// Each skeleton works as written: it passes objects through unchanged, its test passes, and the place to put the
/// transformation is a single marked function. The README says how to run it and what the gateway expects of it.
enum TransformSkeleton {
    /// How the plugin runs, as its manifest's `runtime` says.
    enum Runtime: String, CaseIterable, Sendable {
        /// A program the gateway starts for each request: the object on stdin, a CGI response on stdout.
        case exec
        /// An S3 Object Lambda style function the gateway POSTs an event to, hosted by the runner.
        case http
    }

    /// The skeleton's files for the plugin `name` (a valid step name), as paths in the plugin's folder.
    static func files(name: String, runtime: Runtime) -> [(path: String, contents: String)] {
        switch runtime {
        case .exec:
            [
                ("transform.yml", execManifest(name: name)),
                ("transform.py", execProgram(name: name)),
                ("test_transform.py", execTest(name: name)),
                ("README.md", execReadme(name: name)),
            ]
        case .http:
            [
                ("transform.yml", httpManifest(name: name)),
                ("function.py", httpFunction(name: name)),
                ("test_function.py", httpTest(name: name)),
                ("README.md", httpReadme(name: name)),
            ]
        }
    }

    /// The port the http skeleton's function listens on: taken from the name, so that functions made from the
    /// skeleton under different names rarely claim the same port.
    static func port(for name: String) -> Int {
        var hash: UInt32 = 2_166_136_261  // FNV-1a: stable across runs, unlike Hasher
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return 9200 + Int(hash % 800)
    }

    private static func execManifest(name: String) -> String {
        #"""
        name: \#(name)
        version: 0.1.0
        description: "Passes objects through unchanged (edit transform.py)"
        accepts: ["*/*"]
        runtime: exec
        command: ["python3", "transform.py"]
        timeout: 10s
        # Each parameter reaches transform.py in the event and as REFRACT_PARAM_<NAME>, its default filled in:
        # parameters:
        #   level: {type: integer, min: 1, max: 9, default: 5, description: "How strongly to transform"}

        """#
    }

    private static func execProgram(name: String) -> String {
        #"""
        #!/usr/bin/env python3
        """\#(name): a Refract exec transform.

        The gateway starts this program in its folder for each request:
        - stdin is the object, streamed (CONTENT_TYPE and, when known, CONTENT_LENGTH describe it);
        - stdout is a CGI response: header lines ("Content-Type:" is required; "Status: 404 Not Found",
          Content-Language, Content-Disposition, Cache-Control and x-amz-meta-* are optional), a blank line,
          then the body, which streams to the client as it is written;
        - stderr goes to the gateway's log, with the request id;
        - REFRACT_EVENT names a JSON file describing the request (the source object, the step's parameters, the
          user's request); each parameter is also in REFRACT_PARAM_<NAME>.
        Exiting non-zero before the blank line fails the request with 502 TransformFailed.
        """

        import json
        import os
        import sys

        CHUNK_SIZE = 64 * 1024


        def transform(chunk, parameters):
            """Transform one piece of the object: this is the place for your code.

            It passes the bytes through unchanged. A transformation that needs the whole object can collect the
            chunks in main() and transform them once stdin is exhausted.
            """
            return chunk


        def main():
            with open(os.environ["REFRACT_EVENT"], encoding="utf-8") as file:
                event = json.load(file)
            parameters = event["transform"]["parameters"]
            content_type = os.environ.get("CONTENT_TYPE", "application/octet-stream")
            source, sink = sys.stdin.buffer, sys.stdout.buffer
            sink.write(f"Content-Type: {content_type}\n\n".encode("latin-1"))
            sink.flush()  # the gateway can answer the client's headers before the body is ready
            while chunk := source.read1(CHUNK_SIZE):
                sink.write(transform(chunk, parameters))
                sink.flush()
            return 0


        if __name__ == "__main__":
            sys.exit(main())

        """#
    }

    private static func execTest(name: String) -> String {
        #"""
        """Runs transform.py as the gateway does (environment, event file, object on stdin) and checks its answer.

        Run with `python3 -m pytest` in this folder. When transform() changes the object, change the expected
        bodies below to match.
        """

        import json
        import os
        import subprocess
        import sys
        from pathlib import Path

        PROGRAM = Path(__file__).resolve().parent / "transform.py"


        def run_transform(tmp_path, data, content_type="text/plain; charset=utf-8", **parameters):
            """(status, headers, body) of one run, as the gateway sees it."""
            event_file = tmp_path / "event.json"
            event_file.write_text(json.dumps({
                "requestId": "0123456789ABCDEF",
                "transform": {"name": "\#(name)", "version": "0.1.0", "parameters": parameters},
                "source": {"bucket": "bucket", "key": "object", "contentType": content_type, "size": len(data),
                           "etag": "\"0f343b0931126a20f133d67c2b018a3b\"",
                           "lastModified": "2026-01-01T00:00:00Z", "metadata": {}},
                "input": {"contentType": content_type, "size": len(data)},
                "userRequest": {"url": "/bucket/object!\#(name)", "headers": {"host": "localhost:8080"}},
                "payload": None,
                "deadline": "2026-01-01T00:01:00.000Z",
            }))
            environment = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(tmp_path),
                "REFRACT_EVENT": str(event_file),
                "REFRACT_REQUEST_ID": "0123456789ABCDEF",
                "CONTENT_TYPE": content_type,
                "CONTENT_LENGTH": str(len(data)),
                **{f"REFRACT_PARAM_{key.upper()}": str(value) for key, value in parameters.items()},
            }
            process = subprocess.run([sys.executable, str(PROGRAM)], input=data, capture_output=True,
                                     env=environment, cwd=PROGRAM.parent, timeout=60)
            assert process.returncode == 0, process.stderr.decode(errors="replace")
            return parse_cgi(process.stdout)


        def parse_cgi(output):
            """(status, headers by lower-case name, body) of a CGI response; its lines end in LF or CRLF."""
            headers, status, rest = {}, 200, output
            while True:
                line, newline, rest = rest.partition(b"\n")
                assert newline, "the header has no blank line after it"
                line = line.rstrip(b"\r").decode("latin-1")
                if not line:
                    break
                name, colon, value = line.partition(":")
                assert colon, f"not a header line: {line!r}"
                headers[name.strip().lower()] = value.strip()
            assert "content-type" in headers, "Content-Type is required"
            if "status" in headers:
                status = int(headers.pop("status").split()[0])
            return status, headers, rest


        def test_answers_with_the_inputs_content_type_and_the_object(tmp_path):
            status, headers, body = run_transform(tmp_path, b"Hello, Refract!\n")
            assert status == 200
            assert headers["content-type"] == "text/plain; charset=utf-8"
            assert body == b"Hello, Refract!\n"


        def test_streams_an_object_larger_than_one_chunk(tmp_path):
            data = bytes(range(256)) * 4096  # 1 MiB
            _, headers, body = run_transform(tmp_path, data, "application/octet-stream")
            assert headers["content-type"] == "application/octet-stream"
            assert body == data


        def test_an_empty_object(tmp_path):
            status, _, body = run_transform(tmp_path, b"")
            assert status == 200
            assert body == b""

        """#
    }

    private static func execReadme(name: String) -> String {
        #"""
        # \#(name)

        A Refract `exec` transform: the gateway starts `transform.py` for each request, streams the object to its
        stdin and the program's stdout (a CGI response) to the client. As generated, it passes objects through
        unchanged.

        - `transform.yml`: the manifest. Set `description`, narrow `accepts` (`["text/*"]`, `["image/png"]`), declare
          `parameters`, and bump `version` whenever the output changes (it is part of the output's ETag).
        - `transform.py`: put the transformation in `transform()`. Parameters are in the event
          (`event["transform"]["parameters"]`) and in `REFRACT_PARAM_<NAME>`; change the response's Content-Type in
          `main()` when the output's type differs from the input's.
        - `test_transform.py`: runs the program as the gateway does; update its expected bodies with your change.

        ## Try it

        - `python3 -m pytest` in this folder runs the test.
        - `refract transforms` lists the transform with its parameters.
        - `refract invoke \#(name) --input FILE -o OUT` runs the step alone, without a server.
        - Through the gateway, once restarted (it reads manifests when it starts):
          `curl 'http://127.0.0.1:8080/BUCKET/KEY!\#(name)'`.

        A run that exits non-zero before the blank line ends the request with `502 TransformFailed`; one that runs
        past `timeout` is killed (`504 TransformTimeout`). What stderr says goes to the gateway's log. See
        `docs/writing-transforms.md` for the whole contract.

        """#
    }

    private static func httpManifest(name: String) -> String {
        #"""
        name: \#(name)
        version: 0.1.0
        description: "Passes objects through unchanged (edit function.py)"
        accepts: ["*/*"]
        runtime: http
        url: http://127.0.0.1:\#(port(for: name))/
        timeout: 10s
        # Each parameter reaches the function in the event, under transform.parameters:
        # parameters:
        #   level: {type: integer, min: 1, max: 9, default: 5, description: "How strongly to transform"}

        """#
    }

    private static func httpFunction(name: String) -> String {
        #"""
        """\#(name): an S3 Object Lambda style function for Refract's http runtime.

        Run it with the runner, boto3 pointed at the gateway (any user of the gateway's security.users signs):

            export AWS_ENDPOINT_URL_S3=http://127.0.0.1:8080 AWS_DISABLE_HOST_PREFIX_INJECTION=true
            export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_DEFAULT_REGION=us-east-1
            python3 ../s3-object-lambda-runner/runner.py --handler function.py:lambda_handler --port \#(port(for: name))

        The same file runs on AWS Lambda behind an S3 Object Lambda Access Point.
        """

        from xml.etree import ElementTree

        import boto3
        import requests


        def transform(data, parameters):
            """Transform the object: this is the place for your code. It returns the bytes unchanged."""
            return data


        def lambda_handler(event, context):
            object_context = event["getObjectContext"]
            route, token = object_context["outputRoute"], object_context["outputToken"]
            # Refract adds the step's parameters to the event; S3 Object Lambda has no place for them.
            parameters = event.get("transform", {}).get("parameters", {})
            s3 = boto3.client("s3")
            seconds_left = max(1, context.get_remaining_time_in_millis() / 1000)
            source = requests.get(object_context["inputS3Url"], timeout=seconds_left)
            if source.status_code != 200:
                # Pass the source's failure (404 NoSuchKey, 403 AccessDenied, ...) on to the client as it is.
                code, message = s3_error(source)
                s3.write_get_object_response(RequestRoute=route, RequestToken=token,
                                             StatusCode=source.status_code, ErrorCode=code, ErrorMessage=message)
                return {"status_code": source.status_code}
            s3.write_get_object_response(
                RequestRoute=route, RequestToken=token, Body=transform(source.content, parameters),
                ContentType=source.headers.get("Content-Type", "application/octet-stream"))
            return {"status_code": 200}


        def s3_error(response):
            """The code and message of S3's XML error body (<Error><Code>NoSuchKey</Code>...)."""
            try:
                error = ElementTree.fromstring(response.content)
                return error.findtext("Code") or "InternalError", error.findtext("Message") or ""
            except ElementTree.ParseError:
                return "InternalError", f"Reading the object failed with status {response.status_code}."

        """#
    }

    private static func httpTest(name: String) -> String {
        #"""
        """The function's transformation alone, and the whole function under the runner as the gateway calls it.

        A small local server stands in for the gateway: it serves the event's inputS3Url and takes boto3's
        POST /WriteGetObjectResponse. Run with `python3 -m pytest` in this folder (needs boto3 and requests; no
        network). When transform() changes the object, change the expected bodies below to match.
        """

        import importlib.util
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
        RUNNER = Path(os.environ.get("REFRACT_RUNNER", HERE.parent / "s3-object-lambda-runner" / "runner.py"))
        SOURCE = b"Hello, Refract!\n"


        def load_function():
            spec = importlib.util.spec_from_file_location("\#(name)_function", HERE / "function.py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module


        def test_transform_passes_the_object_through():
            assert load_function().transform(SOURCE, {}) == SOURCE


        class StandInGateway(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            deliveries = []

            def do_GET(self):
                if self.path == "/source":
                    status, content_type, body = 200, "text/plain", SOURCE
                else:
                    status, content_type = 404, "application/xml"
                    body = b"<Error><Code>NoSuchKey</Code><Message>The key does not exist.</Message></Error>"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                self.deliveries.append((self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass


        @pytest.fixture
        def gateway():
            StandInGateway.deliveries = []
            server = ThreadingHTTPServer(("127.0.0.1", 0), StandInGateway)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            yield f"http://127.0.0.1:{server.server_address[1]}"
            server.shutdown()
            server.server_close()


        @pytest.fixture
        def function_url(gateway, tmp_path):
            assert RUNNER.exists(), f"no runner at {RUNNER}: set REFRACT_RUNNER to runner.py's path"
            environment = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(tmp_path),
                "AWS_ENDPOINT_URL_S3": gateway,
                "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
                "AWS_ACCESS_KEY_ID": "AKIDTEST",
                "AWS_SECRET_ACCESS_KEY": "test-secret",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                "NO_PROXY": "127.0.0.1",
            }
            runner = subprocess.Popen(
                [sys.executable, str(RUNNER), "--handler", f"{HERE / 'function.py'}:lambda_handler", "--port", "0"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, text=True)
            line = runner.stdout.readline()
            if not line.startswith("listening on "):
                runner.kill()
                pytest.fail(f"the runner did not start: {runner.communicate()[1]}")
            yield line.split()[-1]
            runner.terminate()
            runner.communicate(timeout=15)


        def invoke(function_url, gateway, input_path):
            """POSTs an event as the gateway does: (the function's answer, its JSON body)."""
            event = {
                "xAmzRequestId": "0123456789ABCDEF",
                "getObjectContext": {"inputS3Url": gateway + input_path, "outputRoute": "io-0123456789ABCDEF",
                                     "outputToken": "single-use-token"},
                "configuration": {"accessPointArn": "arn:aws:s3-object-lambda:refract:000000000000:accesspoint/b",
                                  "supportingAccessPointArn": "arn:aws:s3:refract:000000000000:accesspoint/b"},
                "userRequest": {"url": "http://localhost:8080/bucket/object!\#(name)", "headers": {}},
                "userIdentity": {"type": "Unknown"},
                "protocolVersion": "1.00",
                "transform": {"name": "\#(name)", "version": "0.1.0", "parameters": {}},
            }
            deadline = str(int(time.time() * 1000) + 30_000)
            request = urllib.request.Request(function_url, data=json.dumps(event).encode(), method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "Lambda-Runtime-Deadline-Ms": deadline})
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer, json.loads(answer.read())


        def test_the_function_sends_the_object_with_write_get_object_response(gateway, function_url):
            answer, result = invoke(function_url, gateway, "/source")
            assert answer.headers["X-Amz-Function-Error"] is None, result
            assert result == {"status_code": 200}
            [(path, headers, body)] = StandInGateway.deliveries
            assert path == "/WriteGetObjectResponse"
            assert headers["x-amz-request-route"] == "io-0123456789ABCDEF"
            assert headers["x-amz-request-token"] == "single-use-token"
            assert headers["x-amz-fwd-header-content-type"] == "text/plain"
            assert body == SOURCE


        def test_a_missing_source_is_passed_on_as_its_error(gateway, function_url):
            answer, result = invoke(function_url, gateway, "/missing")
            assert answer.headers["X-Amz-Function-Error"] is None, result
            [(_, headers, _)] = StandInGateway.deliveries
            assert headers["x-amz-fwd-status"] == "404"
            assert headers["x-amz-fwd-error-code"] == "NoSuchKey"
            assert headers["x-amz-fwd-error-message"] == "The key does not exist."

        """#
    }

    private static func httpReadme(name: String) -> String {
        #"""
        # \#(name)

        A Refract `http` transform written as an S3 Object Lambda function: the gateway POSTs an event to
        `http://127.0.0.1:\#(port(for: name))/`; the function reads the object from the event's presigned `inputS3Url`
        and sends the result back with boto3's `write_get_object_response`. As generated, it passes objects through
        unchanged. The same `function.py` runs on AWS Lambda.

        - `transform.yml`: the manifest; `url` must match the port the function listens on. Bump `version` whenever
          the output changes (it is part of the output's ETag).
        - `function.py`: put the transformation in `transform()`; the step's parameters are in
          `event["transform"]["parameters"]`.
        - `test_function.py`: tests `transform()` alone, and the whole function under the runner against a local
          stand-in for the gateway; update its expected bodies with your change.

        ## Run it

        It needs `boto3` and `requests` (`pip install boto3 requests`) and the runner from
        `transforms/s3-object-lambda-runner`:

        ```sh
        export AWS_ENDPOINT_URL_S3=http://127.0.0.1:8080        # the gateway, as the function reaches it
        export AWS_DISABLE_HOST_PREFIX_INJECTION=true           # send to the gateway, not {route}.gateway
        export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...  # any user of the gateway's security.users
        export AWS_DEFAULT_REGION=us-east-1
        python3 ../s3-object-lambda-runner/runner.py --handler function.py:lambda_handler --port \#(port(for: name))
        ```

        Then `curl 'http://127.0.0.1:8080/BUCKET/KEY!\#(name)'` (restart the gateway first: it reads manifests when
        it starts). A handler that raises gives the client `500 LambdaRuntimeError`, one that returns without
        calling `write_get_object_response` `500 LambdaResponseNotReceived`, one that takes longer than `timeout`
        `500 LambdaTimeout`. `print()` and `logging` output goes to the runner's stdout and stderr.

        ## Test it

        `python3 -m pytest` in this folder. Set `REFRACT_RUNNER` to runner.py's path when it is not in
        `../s3-object-lambda-runner`.

        """#
    }
}
