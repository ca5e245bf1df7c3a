#!/usr/bin/env python3
"""Translation: a 1 MiB text through Refract's `translate` with a translation service that takes 50 ms per request.

The service is the fake LibreTranslate / DeepL server of the tests (Tests/translate_fake/fake_translate_server.py,
`--delay-ms 50`; its "translation" upper-cases the text, so its own time is the delay and little else). Refract
(release build) serves a 1 MiB text/plain object made at run time from a public bucket, once with
`transforms.translate.concurrency: 1` and once with 4, default `max_request_bytes` (8000). For each, the median time
to the first body byte and to the last over a few GETs, against the sequential lower bound: the number of requests the
service received (its request log) times 50 ms, what a client sending one request after the other would wait at
least. `bench/run` (`make bench`) calls `run` and `report` and writes the section into BENCHMARKS.md; run alone, this
file prints it (or writes it with --output). Every answer is checked to be the whole text translated before it counts,
so a broken path never gives a number; every process started is stopped when it ends, also on failure or Ctrl-C.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import images  # bench/images.py: the helpers the sections share

plain = images.plain
FAKE_SCRIPT = images.REPO / "Tests" / "translate_fake" / "fake_translate_server.py"
BUCKET = "bench"
TEXT = "text-1m.txt"
WARM_UP = "warm-up.txt"
MIB = 1 << 20
TEXT_BYTES = MIB
WARM_UP_BYTES = 32 * 1024
DELAY_MS = 50
CONCURRENCIES = (1, 4)
RUNS = 3
PROVIDER = "libretranslate"
MAX_REQUEST_BYTES = 8000
REQUEST_TIMEOUT = 300
NOT_MEASURED = "not measured"
OPEN, CLOSE = "\u27e6", "\u27e7"
WORDS = (
    "the quick brown fox jumps over a lazy dog while river stones gleam under pale morning light and distant "
    "bells ring across quiet valleys where old friends gather to share bread café naïve façade"
).split()


@dataclass(frozen=True)
class Timing:
    """The GETs of one configuration, and what the service saw of the last one."""

    first_byte_seconds: list[float]
    total_seconds: list[float]
    requests: int
    largest_request_bytes: int
    max_in_flight: int

    @property
    def sequential_bound_seconds(self) -> float:
        return self.requests * DELAY_MS / 1000


@dataclass
class TranslateResults:
    runs: int
    text_bytes: int
    load_average: float  # the 1-minute load average when the section started: other work skews every figure
    rows: dict[int, Timing | str] = field(default_factory=dict)  # concurrency -> timing or why not measured
    peak_rss_bytes: dict[int, int | None] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """Why a configuration could not be measured (its row says so too); not for one deliberately left out."""
        return [
            f"concurrency {concurrency}: {outcome}"
            for concurrency, outcome in self.rows.items()
            if isinstance(outcome, str) and outcome != NOT_MEASURED
        ]


def make_text(size: int, seed: int) -> str:
    """Paragraphs of prose of 100 to 3000 characters, about `size` bytes in UTF-8 (a few accented letters)."""
    generator = random.Random(seed)
    paragraphs = []
    total = 0
    while total < size:
        sentences = []
        length = generator.randint(100, 3000)
        while sum(len(text) + 1 for text in sentences) < length:
            words = [generator.choice(WORDS) for _ in range(generator.randint(6, 16))]
            sentences.append(" ".join(words).capitalize() + generator.choice([".", ".", "!", "?"]))
        paragraphs.append(" ".join(sentences))
        total += len(paragraphs[-1].encode()) + 2
    return "\n\n".join(paragraphs) + "\n"


def is_translation(source: str, answer: str) -> bool:
    """The fake's translation of `source`: every run bracketed and upper-cased, nothing else changed."""
    return OPEN in answer and answer.replace(OPEN, "").replace(CLOSE, "") == source.upper()


def start_fake(folder: Path, processes) -> str:
    """The fake service with its 50 ms delay; it prints its port as its first line."""
    log = folder / "fake-translate.log"
    process = processes.start(
        "fake-translate",
        [sys.executable, str(FAKE_SCRIPT), "--port", "0", "--delay-ms", str(DELAY_MS)],
        cwd=folder,
        log=log,
    )
    deadline = time.monotonic() + plain.START_TIMEOUT
    while True:
        first, newline, _ = log.read_text(errors="replace").partition("\n")
        if newline and first.strip().isdigit():
            break
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the fake translation service did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{first.strip()}"
    plain.wait_for_http(url + "/_requests", process, log)
    return url


def service_call(url: str, method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def start_refract(binary: Path, storage: Path, folder: Path, processes, service_url: str, concurrency: int):
    """Refract serving `storage` with `translate` pointed at the fake; returns its URL and process."""
    folder.mkdir(parents=True)
    translate = {
        "provider": PROVIDER,
        "url": service_url,
        "max_request_bytes": MAX_REQUEST_BYTES,
        "concurrency": concurrency,
        "timeout": "10s",
    }
    more = f"transforms:\n  translate: {json.dumps(translate)}\n"
    return images.serve_folder(binary, storage, folder, processes, more=more, bucket=BUCKET)


def timed_get(url: str) -> tuple[float, float, str]:
    """GETs `url`; returns the seconds to the first body byte and to the last, and the body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
    try:
        started = time.perf_counter()
        connection.request("GET", parts.path)
        response = connection.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        rest = response.read()
        total = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{parts.path} answered {response.status}: {(first + rest)[:300]!r}")
    finally:
        connection.close()
    return first_byte, total, (first + rest).decode("utf-8")


def measure(refract_url: str, service_url: str, source: str, warm_up: str, runs: int) -> Timing:
    # The first translation fetches the service's language list and opens the connections: not timed.
    _, _, answer = timed_get(f"{refract_url}/{BUCKET}/{WARM_UP}!translate:fr")
    if not is_translation(warm_up, answer):
        raise RuntimeError("the warm-up text did not come back translated")
    first_bytes, totals = [], []
    log: dict = {}
    for _ in range(runs):
        service_call(service_url, "POST", "/_reset", {})
        first_byte, total, answer = timed_get(f"{refract_url}/{BUCKET}/{TEXT}!translate:fr")
        if not is_translation(source, answer):
            raise RuntimeError("the text did not come back translated whole")
        first_bytes.append(first_byte)
        totals.append(total)
        log = service_call(service_url, "GET", "/_requests")
    requests = [record for record in log["requests"] if record["method"] == "POST"]
    if not requests or any(record["status"] != 200 for record in requests):
        raise RuntimeError("the service's log shows failed requests")
    timing = Timing(
        first_byte_seconds=first_bytes,
        total_seconds=totals,
        requests=len(requests),
        largest_request_bytes=max(record["bytes"] for record in requests),
        max_in_flight=log["max_in_flight"],
    )
    print(
        f"  {timing.requests} requests, first byte {statistics.median(first_bytes) * 1000:.0f} ms,"
        f" total {statistics.median(totals):.2f} s",
        flush=True,
    )
    return timing


def run(binary: Path | None, work: Path, processes, runs: int = RUNS, text_bytes: int = TEXT_BYTES):
    """Measures each concurrency in `work` (a fresh folder); `binary` None leaves Refract out (nothing to measure)."""
    work.mkdir(parents=True, exist_ok=True)
    results = TranslateResults(runs=runs, text_bytes=0, load_average=os.getloadavg()[0])
    results.rows = dict.fromkeys(CONCURRENCIES, NOT_MEASURED)
    if binary is None:
        return results
    storage = work / "storage"
    (storage / BUCKET).mkdir(parents=True)
    source = make_text(text_bytes, seed=1)
    warm_up = make_text(WARM_UP_BYTES, seed=2)
    (storage / BUCKET / TEXT).write_text(source, encoding="utf-8")
    (storage / BUCKET / WARM_UP).write_text(warm_up, encoding="utf-8")
    results.text_bytes = len(source.encode())
    print("fake translation service", flush=True)
    service_url = start_fake(work, processes)
    for concurrency in CONCURRENCIES:
        print(f"Refract, concurrency {concurrency}", flush=True)
        refract = None
        try:
            url, refract = start_refract(
                binary, storage, work / f"refract-{concurrency}", processes, service_url, concurrency
            )
            results.rows[concurrency] = measure(url, service_url, source, warm_up, runs)
        except (RuntimeError, OSError, http.client.HTTPException, ValueError) as error:
            print(f"  {images.failure(error)}", flush=True)
            results.rows[concurrency] = images.failure(error)
        if refract is not None:
            results.peak_rss_bytes[concurrency] = (images.status_kilobytes(refract.pid, "VmHWM") or 0) * 1024
            # One gateway at a time: two would share the cores and the service.
            processes.stop(refract)
    processes.stop_all()
    return results


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(results: TranslateResults, binary: Path | None) -> str:
    refract_build = "not measured" if binary is None else "release build" if "/release/" in str(binary) else binary
    size = f"{results.text_bytes / MIB:.2f} MiB" if results.text_bytes else "1 MiB"
    lines = [
        f"## Translation: a {size} text through `translate`, the service taking {DELAY_MS} ms per request",
        "",
        f"Refract ({refract_build}) serves a {size} text/plain object (prose in paragraphs of 100 to 3000"
        f" characters) through `translate:fr`, `transforms.translate` pointing at the tests' fake {PROVIDER} service"
        f" on 127.0.0.1 (Tests/translate_fake, `--delay-ms {DELAY_MS}`: every translate request answers after"
        f" {DELAY_MS} ms, the translation itself costs next to nothing) with `max_request_bytes: {MAX_REQUEST_BYTES}`."
        f" One gateway per concurrency, one GET at a time from Python's http.client, the median of {results.runs}"
        " GETs after an untimed warm-up (which fetches the language list and opens the connections). Every answer"
        " is checked to be the whole text translated. The sequential lower bound is the number of requests the"
        f" service received (its request log) times {DELAY_MS} ms: what sending them one after the other costs at"
        " least; the ideal at a concurrency is that bound divided by it.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {os.cpu_count()} cores, 1-minute load average {results.load_average:.2f} when this section"
        " started.",
        "",
        "| concurrency | requests (largest body) | most in flight | sequential lower bound | ideal at this"
        " concurrency | first byte | total | total ÷ sequential bound | Refract's peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for concurrency, outcome in results.rows.items():
        if isinstance(outcome, str):
            lines.append(f"| {concurrency} | {outcome} | | | | | | | |")
            continue
        bound = outcome.sequential_bound_seconds
        total = statistics.median(outcome.total_seconds)
        lines.append(
            f"| {concurrency} | {outcome.requests} ({outcome.largest_request_bytes:,} B) | {outcome.max_in_flight}"
            f" | {milliseconds(bound)} | {milliseconds(bound / concurrency)}"
            f" | {milliseconds(statistics.median(outcome.first_byte_seconds))} | {milliseconds(total)}"
            f" | {total / bound:.2f} | {images.mebibytes(results.peak_rss_bytes.get(concurrency))} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    def add_options(parser):
        parser.add_argument("--runs", type=int, default=RUNS, help=f"timed GETs per concurrency (default {RUNS})")
        parser.add_argument("--text-bytes", type=int, default=TEXT_BYTES, help="size of the text (default 1 MiB)")

    options, binary = images.section_options(__doc__.splitlines()[0], None, add_options)
    return images.run_standalone(
        "translate",
        lambda folder, processes: run(binary, folder, processes, options.runs, options.text_bytes),
        lambda results: report(results, binary),
        options.output,
    )


if __name__ == "__main__":
    sys.exit(main())
