#!/usr/bin/env python3
"""Plugins: the per-request cost of a transform run as an exec plugin and as an http plugin, against the same
pass-through in-process.

Each plugin passes the object through unchanged, so what is left is what running a step out of process costs:
- `cat-exec`, an exec plugin: `sh cat.sh`, which prints the CGI header and `exec`s `cat` (a process group of two
  processes per request, the object through its stdin and stdout);
- `cat-http`, an http plugin: a Python function (http.server, one thread per request) that GETs the event's presigned
  `inputS3Url` from the gateway and answers its POST with the object directly (status, Content-Type, Content-Length,
  the body in 64 KiB writes);
- in-process: the plain GET of the object through the same gateway. Refract has no built-in identity transform: a
  pass-through step in-process streams the store's body as it comes, which is exactly the plain GET's path, so the
  plain GET is that step's cost.
Refract (release build) serves a 4 KiB and a 10 MiB object from a public bucket; wrk drives each path with one
connection (the latency of one request after another: the median minus the in-process median is the plugin's
overhead) and with 8 (throughput; the exec plugin's `concurrency` is 8). `bench/run` (`make bench`) calls `run` and
`report` and writes the section into BENCHMARKS.md; run alone, this file prints it (or writes it with --output). Every
path is checked to serve the object's bytes before it is timed, so a broken path never gives a number; every process
started is stopped when it ends, also on failure or Ctrl-C.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import images  # bench/images.py: the helpers the sections share

plain = images.plain
BUCKET = "bench"
KIB, MIB = 1 << 10, 1 << 20


@dataclass(frozen=True)
class StoredObject:
    label: str
    file_name: str
    size: int


WORKLOADS = [StoredObject("4 KiB", "object-4k.bin", 4 * KIB), StoredObject("10 MiB", "object-10m.bin", 10 * MIB)]
CONNECTIONS = (1, 8)
WARM_UP_SECONDS = 2
NOT_MEASURED = "not measured"
IN_PROCESS = "in-process (plain GET)"
EXEC = "exec plugin"
HTTP = "http plugin"
STEPS = {IN_PROCESS: "", EXEC: "!cat-exec", HTTP: "!cat-http"}

CAT_SCRIPT = """printf 'Content-Type: %s\\r\\n\\r\\n' "${CONTENT_TYPE:-application/octet-stream}"
exec cat
"""

# The http function: the event's inputS3Url, fetched and answered as the POST's response, a block at a time.
FUNCTION_SCRIPT = '''import http.client, json, shutil, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Function(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go out in separate writes: with Nagle's algorithm the body would wait for the
    # gateway's delayed ACK.
    disable_nagle_algorithm = True

    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        url = urllib.parse.urlsplit(event["getObjectContext"]["inputS3Url"])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        try:
            connection.request("GET", url.path + "?" + url.query)
            source = connection.getresponse()
            self.send_response(source.status)
            self.send_header("Content-Type", source.getheader("Content-Type", "application/octet-stream"))
            self.send_header("Content-Length", source.getheader("Content-Length"))
            self.end_headers()
            shutil.copyfileobj(source, self.wfile, 64 * 1024)
        finally:
            connection.close()

    def log_message(self, format, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Function)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
'''


@dataclass(frozen=True)
class PathResult:
    """wrk's figures for one path, object size and number of connections."""

    requests_per_second: float
    p50_seconds: float
    p99_seconds: float
    errors: str


@dataclass
class PluginResults:
    duration: int
    threads: int
    load_average: float  # the 1-minute load average when the section started: other work skews every figure
    # (workload label, connections) -> path -> result, or why it was not measured
    rows: dict[tuple[str, int], dict[str, PathResult | str]] = field(default_factory=dict)
    refract_peak_rss_bytes: int | None = None
    function_peak_rss_bytes: int | None = None

    @property
    def failures(self) -> list[str]:
        """Why a path could not be measured (its row says so too); not for one deliberately left out."""
        return [
            f"{label}, {connections} connection(s), {path}: {outcome}"
            for (label, connections), paths in self.rows.items()
            for path, outcome in paths.items()
            if isinstance(outcome, str) and outcome != NOT_MEASURED
        ]


def make_objects(storage: Path) -> dict[str, str]:
    """The bucket's objects, random bytes; returns each one's SHA-256."""
    folder = storage / BUCKET
    folder.mkdir(parents=True)
    generator = random.Random(7)
    digests = {}
    for workload in WORKLOADS:
        data = generator.randbytes(workload.size)
        (folder / workload.file_name).write_bytes(data)
        digests[workload.file_name] = hashlib.sha256(data).hexdigest()
    return digests


def start_function(folder: Path, processes) -> tuple[str, subprocess.Popen]:
    """The http plugin's function; it prints its port as its first line."""
    script = folder / "cat_function.py"
    script.write_text(FUNCTION_SCRIPT)
    log = folder / "function.log"
    process = processes.start("cat-function", [sys.executable, str(script)], cwd=folder, log=log)
    deadline = time.monotonic() + plain.START_TIMEOUT
    while True:
        first, newline, _ = log.read_text(errors="replace").partition("\n")
        if newline and first.strip().isdigit():
            return f"http://127.0.0.1:{first.strip()}/", process
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the cat function did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


def write_plugins(plugins: Path, function_url: str) -> None:
    (plugins / "cat-exec").mkdir(parents=True)
    (plugins / "cat-exec" / "cat.sh").write_text(CAT_SCRIPT)
    (plugins / "cat-exec" / "transform.yml").write_text(
        'name: cat-exec\nversion: 1.0.0\ndescription: Passes the object through\nruntime: exec\n'
        'command: ["sh", "cat.sh"]\ntimeout: 30s\n'
    )
    (plugins / "cat-http").mkdir(parents=True)
    (plugins / "cat-http" / "transform.yml").write_text(
        "name: cat-http\nversion: 1.0.0\ndescription: Passes the object through\nruntime: http\n"
        f"url: {function_url}\ntimeout: 30s\n"
    )


def check_content(url: str, expected: str) -> None:
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=60) as response:
        while block := response.read(MIB):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise RuntimeError(f"{url} does not serve the object's bytes")


def run_wrk(url: str, connections: int, duration: int, threads: int) -> PathResult:
    threads = min(threads, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", url]
    output = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    requests_per_second, p50, p99, _, errors = images.parse_wrk(output)
    return PathResult(requests_per_second, p50, p99, errors)


def run(binary: Path | None, work: Path, processes, duration: int = 10, threads: int = 2) -> PluginResults:
    """Measures every path in `work` (a fresh folder); `binary` None leaves Refract out (nothing to measure)."""
    work.mkdir(parents=True, exist_ok=True)
    results = PluginResults(duration=duration, threads=threads, load_average=os.getloadavg()[0])
    for workload in WORKLOADS:
        for connections in CONNECTIONS:
            results.rows[(workload.label, connections)] = dict.fromkeys(STEPS, NOT_MEASURED)
    if binary is None:
        return results
    storage = work / "storage"
    digests = make_objects(storage)
    print("Refract with the cat plugins", flush=True)
    function_url, function = start_function(work, processes)
    write_plugins(work / "plugins", function_url)
    url, refract = images.serve_folder(
        binary, storage, work, processes, more=f"transforms:\n  plugins: {{dir: {work / 'plugins'}}}\n", bucket=BUCKET
    )
    for workload in WORKLOADS:
        for path, step in STEPS.items():
            target = f"{url}/{BUCKET}/{workload.file_name}{step}"
            try:
                check_content(target, digests[workload.file_name])
                run_wrk(target, max(CONNECTIONS), WARM_UP_SECONDS, threads)
                for connections in CONNECTIONS:
                    result = run_wrk(target, connections, duration, threads)
                    results.rows[(workload.label, connections)][path] = result
                    print(
                        f"  {workload.label}, {path}, -c {connections}: {result.requests_per_second:,.0f} req/s,"
                        f" p50 {result.p50_seconds * 1e3:.2f} ms" + (f", {result.errors}" if result.errors else ""),
                        flush=True,
                    )
            except (RuntimeError, OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
                print(f"  {workload.label}, {path}: {images.failure(error)}", flush=True)
                for connections in CONNECTIONS:
                    results.rows[(workload.label, connections)][path] = images.failure(error)
    results.refract_peak_rss_bytes = (images.status_kilobytes(refract.pid, "VmHWM") or 0) * 1024
    results.function_peak_rss_bytes = (images.status_kilobytes(function.pid, "VmHWM") or 0) * 1024
    processes.stop_all()
    return results


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms"


def report(results: PluginResults, binary: Path | None) -> str:
    refract_build = "not measured" if binary is None else "release build" if "/release/" in str(binary) else binary
    lines = [
        "## Plugins: the per-request cost of an exec and an http plugin",
        "",
        f"Refract ({refract_build}) serves a 4 KiB and a 10 MiB object of random bytes from a public bucket, plainly"
        " and through two plugins that pass the object through unchanged: `cat-exec`, an exec plugin (`sh cat.sh`"
        " printing the CGI header, then `exec cat`: two processes per request), and `cat-http`, an http plugin (a"
        " Python http.server function that GETs the event's presigned `inputS3Url` from the gateway and answers its"
        " POST with the object directly). Refract has no built-in identity transform; an in-process pass-through"
        " step streams the store's body as it comes, which is the plain GET's path, so the plain GET stands for the"
        " same transform in-process. Everything on 127.0.0.1, driven by wrk with --latency for"
        f" {results.duration} s after a {WARM_UP_SECONDS} s warm-up: with 1 connection (one request after the other;"
        " overhead = the plugin's median latency minus the in-process median) and with 8 (throughput; the exec"
        " plugin's default `concurrency` is 8). Every path is checked to serve the object's bytes first. The http"
        " plugin's figures include the Python function's own time, and its input GET is a second request to the"
        " gateway. Generated by bench/plugins.py (`make bench`).",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {os.cpu_count()} cores, 1-minute load average {results.load_average:.2f} when this section"
        f" started; {images.tool_version(['wrk', '-v'])}",
        f"- Peak RSS: Refract {images.mebibytes(results.refract_peak_rss_bytes)}, the Python function"
        f" {images.mebibytes(results.function_peak_rss_bytes)}",
        "",
        "| object | path | 1 connection: p50 | p99 | overhead (p50) | requests/s | 8 connections: requests/s"
        " | MB/s | vs in-process |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in WORKLOADS:
        single = results.rows[(workload.label, CONNECTIONS[0])]
        many = results.rows[(workload.label, CONNECTIONS[1])]
        baseline_single, baseline_many = single[IN_PROCESS], many[IN_PROCESS]
        for path in STEPS:
            one, eight = single[path], many[path]
            if isinstance(one, str) or isinstance(eight, str):
                lines.append(f"| {workload.label} | {path} | {one if isinstance(one, str) else eight} | | | | | | |")
                continue
            overhead = (
                milliseconds(one.p50_seconds - baseline_single.p50_seconds)
                if isinstance(baseline_single, PathResult) and path != IN_PROCESS
                else ""
            )
            ratio = (
                f"{eight.requests_per_second / baseline_many.requests_per_second:.2f}x"
                if isinstance(baseline_many, PathResult) and baseline_many.requests_per_second
                else ""
            )
            lines.append(
                f"| {workload.label} | {path} | {milliseconds(one.p50_seconds)} | {milliseconds(one.p99_seconds)}"
                f" | {overhead} | {one.requests_per_second:,.0f} | {eight.requests_per_second:,.0f}"
                f" | {eight.requests_per_second * workload.size / 1e6:,.0f} | {ratio} |"
            )
    errors = [
        f"{label}, {connections} connection(s), {path}: {outcome.errors}"
        for (label, connections), paths in results.rows.items()
        for path, outcome in paths.items()
        if isinstance(outcome, PathResult) and outcome.errors
    ]
    if errors:
        lines += ["", f"wrk reported errors: {'; '.join(errors)}"]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    return images.wrk_section_main("plugins", __doc__.splitlines()[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
