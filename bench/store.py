#!/usr/bin/env python3
"""The S3-compatible store: plain GETs through Refract's `type: s3` store against the same GETs made straight to the
store, in the same run.

moto_server (PyPI `moto[server]`) on 127.0.0.1 holds a 1 MiB and a 100 MiB object (public-read, so anonymous GETs
reach them); Refract (release build) serves them from a public bucket whose store is that moto, under another bucket
name there. wrk drives each object straight at moto and through Refract, one after the other; the ratio of the two
says what the gateway costs (goal: at least 0.95, nothing measurable). Refract's peak resident memory (VmHWM) over the
whole section is reported too. `bench/run` (`make bench`) calls `run` and `report` and writes the section into
BENCHMARKS.md; run alone, this file prints it (or writes it with --output). Both paths are checked to serve the
objects' bytes before they are timed, so a broken path never gives a number; every process started is stopped when
it ends, also on failure or Ctrl-C.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import images  # bench/images.py: the helpers the sections share

plain = images.plain
BUCKET = "bench"
STORE_BUCKET = "bench-store-real"  # the bucket's name in the store differs from Refract's, as `buckets.X.name` allows
STORE_NAME = "moto"
# moto accepts any credentials; Refract signs its requests to the store with these.
STORE_KEY_ID = "AKIABENCHSTORE000000"
STORE_SECRET = "bench-store-secret-0123456789abcdefghijklmn"
WARM_UP_SECONDS = 2
MIB = 1 << 20
NOT_MEASURED = "not measured"
WORKLOADS = [
    plain.Workload("1 MiB", "object-1m.bin", MIB, 4),
    plain.Workload("100 MiB", "object-100m.bin", 100 * MIB, 2),
]
DIRECT = "straight to moto"
REFRACT = "through Refract"


@dataclass
class StoreResults:
    duration: int
    threads: int
    load_average: float  # the 1-minute load average when the section started: other work skews every figure
    moto_version: str
    rows: dict[str, dict[str, plain.Measurement | str]] = field(default_factory=dict)  # workload -> path -> result
    refract_peak_rss_bytes: int | None = None
    refract_start_rss_bytes: int | None = None

    @property
    def failures(self) -> list[str]:
        """Why a path could not be measured (its row says so too); not for one deliberately left out."""
        return [
            f"{label} {path}: {outcome}"
            for label, by_path in self.rows.items()
            for path, outcome in by_path.items()
            if isinstance(outcome, str) and outcome != NOT_MEASURED
        ]


def moto_server() -> str:
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which("moto_server")
    if found is None:
        raise RuntimeError("no moto_server (pip install 'moto[server]'; `scripts/setup.sh`)")
    return found


def start_moto(folder: Path, processes) -> str:
    port = plain.free_port()
    log = folder / "moto.log"
    process = processes.start("moto", [moto_server(), "-H", "127.0.0.1", "-p", str(port)], cwd=folder, log=log)
    url = f"http://127.0.0.1:{port}"
    plain.wait_for_http(url + "/", process, log)
    return url


def fill_store(url: str) -> dict[str, str]:
    """The bucket and one object per workload, readable anonymously; returns each object's SHA-256."""
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=STORE_KEY_ID,
        aws_secret_access_key=STORE_SECRET,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    client.create_bucket(Bucket=STORE_BUCKET)
    generator = random.Random(3)
    digests = {}
    for workload in WORKLOADS:
        body = generator.randbytes(workload.size)
        client.put_object(Bucket=STORE_BUCKET, Key=workload.file_name, Body=body, ACL="public-read")
        digests[workload.file_name] = hashlib.sha256(body).hexdigest()
    return digests


def start_refract(binary: Path, store_url: str, folder: Path, processes) -> tuple[str, int]:
    folder.mkdir()
    config = folder / "refract.yml"
    # The notice level keeps the access log (info) off; "listening on" is a notice.
    config.write_text(
        f"""log: {{level: notice}}
stores:
  {STORE_NAME}:
    type: s3
    endpoint: {store_url}
    region: us-east-1
    access_key_id: {STORE_KEY_ID}
    secret_access_key: {STORE_SECRET}
    path_style: true
buckets:
  {BUCKET}: {{store: {STORE_NAME}, name: {STORE_BUCKET}, public: true}}
"""
    )
    url, process = images.launch_refract(binary, config, folder, processes)
    return url, process.pid


def check_content(base_url: str, digests: dict[str, str]) -> None:
    """`base_url/NAME` must serve each object's bytes."""
    for file_name, expected in digests.items():
        digest = hashlib.sha256()
        with urllib.request.urlopen(f"{base_url}/{file_name}", timeout=120) as response:
            while block := response.read(MIB):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise RuntimeError(f"{base_url}/{file_name} does not serve the object's bytes")


def measure(url: str, workload, duration: int, threads: int) -> plain.Measurement:
    plain.run_wrk(url, workload, duration=WARM_UP_SECONDS, threads=threads)
    result = plain.run_wrk(url, workload, duration, threads)
    errors = f", {result.errors}" if result.errors else ""
    print(f"  {workload.label}: {result.requests_per_second:.1f} req/s{errors}", flush=True)
    return result


def run(binary: Path | None, work: Path, processes, duration: int = 10, threads: int = 2) -> StoreResults:
    """Measures both paths in `work` (a fresh folder); `binary` None leaves Refract out."""
    work.mkdir(parents=True, exist_ok=True)
    results = StoreResults(
        duration=duration,
        threads=threads,
        load_average=os.getloadavg()[0],
        moto_version=images.python_package_version("moto"),
    )
    for workload in WORKLOADS:
        results.rows[workload.label] = {DIRECT: NOT_MEASURED, REFRACT: NOT_MEASURED}
    print("moto", flush=True)
    store_url = start_moto(work, processes)
    digests = fill_store(store_url)
    direct = f"{store_url}/{STORE_BUCKET}"
    check_content(direct, digests)
    refract = None
    if binary is not None:
        try:
            url, pid = start_refract(binary, store_url, work / "refract", processes)
            refract = f"{url}/{BUCKET}"
            check_content(refract, digests)
            results.refract_start_rss_bytes = (images.status_kilobytes(pid, "VmRSS") or 0) * 1024
        except (RuntimeError, OSError) as error:
            print(f"  Refract: {images.failure(error)}", flush=True)
            for workload in WORKLOADS:
                results.rows[workload.label][REFRACT] = images.failure(error)
    for workload in WORKLOADS:
        for path, base in ((DIRECT, direct), (REFRACT, refract)):
            if base is None:
                continue
            print(path, flush=True)
            row = results.rows[workload.label]
            try:
                row[path] = measure(f"{base}/{workload.file_name}", workload, duration, threads)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                row[path] = images.failure(error)
    if refract is not None:
        results.refract_peak_rss_bytes = (images.status_kilobytes(pid, "VmHWM") or 0) * 1024
    processes.stop_all()
    return results


def report(results: StoreResults, binary: Path | None) -> str:
    refract_build = "not measured" if binary is None else "release build" if "/release/" in str(binary) else binary
    lines = [
        "## S3-compatible store: plain GetObject through Refract and straight to the store",
        "",
        f"Refract ({refract_build}) with one `type: s3` store, moto_server {results.moto_version} on 127.0.0.1, and"
        f" a public bucket that is `{STORE_BUCKET}` there; the same objects fetched with anonymous GETs straight"
        " from moto (public-read) and through Refract (which signs each request to moto with SigV4 and streams the"
        f" answer on), one after the other in the same run, each driven by wrk with {results.threads} threads at"
        f" most and --latency for {results.duration} s after a {WARM_UP_SECONDS} s warm-up. moto (Python, werkzeug)"
        " closes its connection after every answer, so it sets the pace of both paths; the ratio shows what"
        " Refract adds on top (goal: at least 0.95). Refract, moto and wrk share the machine's cores.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {os.cpu_count()} cores, 1-minute load average {results.load_average:.2f} when this section"
        f" started; {images.tool_version(['wrk', '-v'])}.",
        f"- Refract's resident memory: {images.mebibytes(results.refract_start_rss_bytes)} after start, peak"
        f" (VmHWM over the whole section) {images.mebibytes(results.refract_peak_rss_bytes)}.",
        "",
        f"| object (connections) | {DIRECT} req/s | MiB/s | p99 | {REFRACT} req/s | MiB/s | p99 |"
        " Refract ÷ direct |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    errors = []
    for workload in WORKLOADS:
        cells = []
        by_path = results.rows[workload.label]
        for path in (DIRECT, REFRACT):
            outcome = by_path[path]
            if isinstance(outcome, str):
                cells += [outcome, "", ""]
                continue
            mebibytes_per_second = outcome.requests_per_second * workload.size / MIB
            cells += [
                f"{outcome.requests_per_second:,.1f}",
                f"{mebibytes_per_second:,.0f}",
                plain.format_latency(outcome.p99_seconds),
            ]
            if outcome.errors:
                errors.append(f"{workload.label} {path}: {outcome.errors}")
        direct, refract = by_path[DIRECT], by_path[REFRACT]
        ratio = ""
        if not isinstance(direct, str) and not isinstance(refract, str) and direct.requests_per_second:
            ratio = f"{refract.requests_per_second / direct.requests_per_second:.2f}"
        lines.append(f"| {workload.label} ({workload.connections}) | {' | '.join(cells)} | {ratio} |")
    if errors:
        lines += ["", f"wrk reported errors: {'; '.join(errors)}"]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    return images.wrk_section_main("store", __doc__.splitlines()[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
