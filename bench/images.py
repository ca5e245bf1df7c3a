#!/usr/bin/env python3
"""Image resizing: Refract against thumbor and nginx's image_filter, and the raw engines, on one photo.

A 4000x3000 JPEG made at run time is resized to 300 px wide by each server on 127.0.0.1, driven by wrk at each
concurrency, then by each engine's command-line tool one image at a time. `bench/run` (`make bench`) calls `run`
and `report` and writes the section into BENCHMARKS.md; run alone, this file prints the section (or writes it with
--output), e.g. `python3 bench/images.py --skip-refract` while the gateway does not build. Every server it starts is
stopped when it ends, also on failure or Ctrl-C; every server's answer is checked to be a 300 px wide JPEG before it
is timed, so a broken peer never gives a number.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from importlib.machinery import SourceFileLoader
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BUCKET = "bench"
PHOTO = "photo.jpg"
SOURCE_WIDTH, SOURCE_HEIGHT = 4000, 3000
WIDTH, HEIGHT = 300, 225
QUALITY = 82  # Refract's default output quality; thumbor and image_filter are set to it so all encode alike
CONCURRENCIES = (2, 8)
NOT_MEASURED = "not measured"
WARM_UP_SECONDS = 3
MAX_ATTEMPTS = 3
UNBALANCED_SHARE = 0.75  # the busiest process's share of the CPU time beyond which a core was left idle
SAMPLE_INTERVAL = 0.2
# ImageMagick itself, not the stand-in wrapper some machines have first on PATH as `convert`.
CONVERT = "/usr/bin/convert"
IMAGE_FILTER_MODULE = "ngx_http_image_filter_module.so"
JPEG_START_OF_FRAME = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def load_plain_bench():
    """bench/run, the plain-GET benchmark, holds the helpers both share; it has no .py suffix, so load it by path."""
    running = sys.modules.get("__main__")
    if running is not None and Path(getattr(running, "__file__", "")).resolve() == BENCH / "run":
        return running
    loader = SourceFileLoader("bench_plain", str(BENCH / "run"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


plain = load_plain_bench()


@dataclass(frozen=True)
class ServerResult:
    requests_per_second: float
    p50_seconds: float
    p99_seconds: float
    requests: int
    errors: str
    peak_rss_bytes: int  # sum over the server's processes of each one's VmHWM
    peak_pss_bytes: int  # highest sampled sum of the processes' Pss (shared pages split between sharers)
    cpu_seconds_per_image: float  # CPU time of all the server's processes during the timed run, per response
    busiest_cpu_share: float  # the busiest process's part of that CPU time (1.0 for a single process)
    process_count: int
    attempts: int  # timed runs made: more than one when the first left a process idle
    thumbnail_bytes: int


@dataclass(frozen=True)
class EngineResult:
    name: str
    command: str
    milliseconds: float
    stddev_milliseconds: float
    runs: int
    peak_rss_bytes: int | None


@dataclass
class ImageResults:
    photo_bytes: int
    duration: int
    threads: int
    load_average: float  # the 1-minute load average when the section started: other work skews every figure
    servers: dict[str, dict[int, ServerResult | str]] = field(default_factory=dict)
    engines: list[EngineResult] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        """Why a server could not be measured (its row says so too); not for one deliberately left out."""
        return [
            f"{name} at {connections} connections: {outcome}"
            for name, by_concurrency in self.servers.items()
            for connections, outcome in by_concurrency.items()
            if isinstance(outcome, str) and outcome != NOT_MEASURED
        ]


def make_photo(folder: Path) -> Path:
    """A photographic-looking 4000x3000 JPEG at quality 90: a fractal plasma (smooth colour fields) with grain."""
    photo = folder / PHOTO
    recipe = f"-seed 1 -size {SOURCE_WIDTH}x{SOURCE_HEIGHT} plasma:fractal -attenuate 0.4 +noise Gaussian -quality 90"
    subprocess.run([CONVERT, *recipe.split(), str(photo)], check=True, capture_output=True)
    if jpeg_dimensions(photo.read_bytes()) != (SOURCE_WIDTH, SOURCE_HEIGHT):
        raise RuntimeError(f"{CONVERT} did not make a {SOURCE_WIDTH}x{SOURCE_HEIGHT} JPEG")
    return photo


def jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's start-of-frame segment, or None if `data` is not a JPEG."""
    if data[:2] != b"\xff\xd8":
        return None
    offset = 2
    while offset + 9 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            offset += 2
            continue
        if marker in JPEG_START_OF_FRAME:
            height = int.from_bytes(data[offset + 5 : offset + 7], "big")
            width = int.from_bytes(data[offset + 7 : offset + 9], "big")
            return width, height
        offset += 2 + int.from_bytes(data[offset + 2 : offset + 4], "big")
    return None


def check_thumbnail(url: str) -> int:
    """The answer must be a 300x225 JPEG; returns its size."""
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
        content_type = response.headers.get("Content-Type", "")
    dimensions = jpeg_dimensions(body)
    if dimensions != (WIDTH, HEIGHT):
        found = f"{content_type or 'no type'}, {len(body)} bytes, {dimensions or 'not a JPEG'}"
        raise RuntimeError(f"{url} answered {found} instead of a {WIDTH}x{HEIGHT} JPEG")
    if not content_type.startswith("image/jpeg"):
        raise RuntimeError(f"{url} answered a JPEG as {content_type or 'no type'}")
    return len(body)


def check_file(path: Path) -> None:
    if jpeg_dimensions(path.read_bytes()) != (WIDTH, HEIGHT):
        raise RuntimeError(f"{path} is not a {WIDTH}x{HEIGHT} JPEG")
    path.unlink()


# Process tree, memory and CPU, read from /proc.


def process_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (so index 0 is the state, 1 the parent)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def process_tree(roots: list[int]) -> list[int]:
    """`roots` and all their descendants that are alive."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := process_stat(int(entry.name))) and fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], list(roots)
    while pending:
        pid = pending.pop()
        if Path(f"/proc/{pid}").exists():
            tree.append(pid)
            pending += children.get(pid, [])
    return tree


def status_kilobytes(pid: int, field_name: str, file: str = "status") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    fields = process_stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else None


class MemoryWatch:
    """Samples a server's processes while it runs: each process's VmHWM and CPU time, and the sum of their Pss."""

    def __init__(self, roots: list[int]):
        self.roots = roots
        self.high_water: dict[int, int] = {}
        self.peak_pss = 0
        self.cpu: dict[int, float] = {}
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exception) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL):
            self.sample()

    def sample(self) -> None:
        pss_total = 0
        for pid in process_tree(self.roots):
            self.seen.add(pid)
            if (high_water := status_kilobytes(pid, "VmHWM")) is not None:
                self.high_water[pid] = max(self.high_water.get(pid, 0), high_water * 1024)
            pss_total += (status_kilobytes(pid, "Pss", "smaps_rollup") or 0) * 1024
            if (seconds := cpu_seconds(pid)) is not None:
                self.cpu[pid] = seconds
        self.peak_pss = max(self.peak_pss, pss_total)

    def cpu_snapshot(self) -> dict[int, float]:
        self.sample()
        return dict(self.cpu)


# The servers. Each start function is given the storage folder (holding bench/photo.jpg) and an empty folder for its
# configuration and logs.


@dataclass(frozen=True)
class Server:
    thumbnail_url: str
    roots: list[int]  # the processes whose trees make up the server
    connection_per_request: bool = False  # wrk sends `Connection: close`


def launch_refract(binary: Path, config: Path, folder: Path, processes) -> tuple[str, subprocess.Popen]:
    """Starts `refract serve --config CONFIG` on a free port; returns its URL and process once it answers."""
    log = folder / "refract.log"
    process = processes.start(
        "refract", [str(binary.resolve()), "serve", "--config", str(config), "--port", "0"], cwd=folder, log=log
    )
    deadline = time.monotonic() + plain.START_TIMEOUT
    while not (match := plain.LISTENING.search(log.read_text(errors="replace"))):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"refract serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    url = f"http://{match['host']}:{match['port']}"
    plain.wait_for_http(url + "/_refract/health", process, log)
    return url, process


def serve_folder(
    binary: Path,
    storage: Path,
    folder: Path,
    processes,
    more: str = "",
    bucket: str = BUCKET,
    public: bool = True,
) -> tuple[str, subprocess.Popen]:
    """Starts Refract on `storage` (a filesystem store) with one bucket, public or not, its configuration written in
    `folder` with `more` (YAML) after it; returns its URL and process once it answers."""
    # The notice level keeps the access log (info) off, as it is for nginx; "listening on" is a notice.
    config = folder / "refract.yml"
    config.write_text(
        f"""log: {{level: notice}}
stores:
  local: {{type: filesystem, root: {storage}}}
buckets:
  {bucket}: {{store: local, public: {str(public).lower()}}}
{more}"""
    )
    return launch_refract(binary, config, folder, processes)


def start_refract(binary: Path, storage: Path, folder: Path, processes) -> Server:
    url, process = serve_folder(binary, storage, folder, processes, more="transforms:\n  image: {workers: 0}\n")
    return Server(f"{url}/{BUCKET}/{PHOTO}!resize:w={WIDTH}", [process.pid])


def nginx_prelude(prefix: Path, worker_processes: int, modules: str = "") -> str:
    # Run as root, nginx's workers would switch to `nobody`, who cannot read the private temp folder.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"    {name}_temp_path {prefix}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{modules}{user}daemon off;
worker_processes {worker_processes};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    default_type application/octet-stream;
{temp_paths}"""


def start_nginx_with(prefix: Path, config: str, processes, probe: str) -> subprocess.Popen:
    (prefix / "nginx.conf").write_text(config)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    args = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    process = processes.start("nginx", args, cwd=prefix, log=prefix / "stdout.log")
    plain.wait_for_http(probe, process, prefix / "error.log")
    return process


def image_filter_module() -> Path:
    for folder in ("/usr/lib/nginx/modules", "/usr/share/nginx/modules", "/usr/lib64/nginx/modules"):
        if (candidate := Path(folder) / IMAGE_FILTER_MODULE).exists():
            return candidate
    raise RuntimeError(f"no {IMAGE_FILTER_MODULE} (Debian: libnginx-mod-http-image-filter; `scripts/setup.sh --bench`)")


def start_image_filter(storage: Path, prefix: Path, processes, workers: int) -> Server:
    port = plain.free_port()
    config = (
        nginx_prelude(prefix, workers, f"load_module {image_filter_module()};\n")
        + f"""    server {{
        listen 127.0.0.1:{port};
        root {storage};
        location = /health {{ return 204; }}
        location /{BUCKET}/ {{
            image_filter resize {WIDTH} -;
            image_filter_buffer 64m;
            image_filter_jpeg_quality {QUALITY};
        }}
    }}
}}
"""
    )
    url = f"http://127.0.0.1:{port}"
    process = start_nginx_with(prefix, config, processes, url + "/health")
    # nginx's workers share one listening socket and a keep-alive connection stays with the worker that accepted
    # it: wrk's few connections often all land on one worker and leave a core idle. A connection per request is
    # accepted by a worker that is waiting, which is how nginx spreads work; a handshake on loopback costs nothing
    # next to a resize.
    return Server(f"{url}/{BUCKET}/{PHOTO}", [process.pid], connection_per_request=True)


def start_thumbor(storage: Path, folder: Path, processes, instances: int) -> Server:
    """`instances` single-process thumbors behind an nginx that sends each request to the least busy one.

    thumbor's own --processes forks children that share one listening socket: each keep-alive connection then
    stays with the child that accepted it, and two connections often land on one child, leaving a core idle.
    Several instances in one nginx upstream is how thumbor is usually deployed.
    """
    if importlib.util.find_spec("thumbor") is None:
        raise RuntimeError("thumbor is not installed (pip install thumbor; `scripts/setup.sh --bench`)")
    config = folder / "thumbor.conf"
    config.write_text(
        f"""LOADER = "thumbor.loaders.file_loader"
FILE_LOADER_ROOT_PATH = "{storage / BUCKET}"
STORAGE = "thumbor.storages.no_storage"
RESULT_STORAGE = None
ALLOW_UNSAFE_URL = True
QUALITY = {QUALITY}
"""
    )
    roots, ports = [], []
    for index in range(instances):
        port = plain.free_port()
        options = f"--ip 127.0.0.1 --port {port} --conf {config} --log-level warning".split()
        args = [sys.executable, "-c", "import sys; from thumbor.server import main; sys.exit(main())", *options]
        log = folder / f"thumbor-{index}.log"
        process = processes.start("thumbor", args, cwd=folder, log=log)
        plain.wait_for_http(f"http://127.0.0.1:{port}/healthcheck", process, log)
        roots.append(process.pid)
        ports.append(port)
    port = plain.free_port()
    prefix = folder / "nginx"
    prefix.mkdir()
    servers = "".join(f"        server 127.0.0.1:{backend};\n" for backend in ports)
    config_text = (
        nginx_prelude(prefix, 1)
        + f"""    upstream thumbor {{
        least_conn;
{servers}        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://thumbor;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""
    )
    url = f"http://127.0.0.1:{port}"
    process = start_nginx_with(prefix, config_text, processes, url + "/healthcheck")
    return Server(f"{url}/unsafe/{WIDTH}x0/{PHOTO}", roots + [process.pid])


# Measuring.


def run_wrk(server: Server, connections: int, duration: int, threads: int) -> tuple[float, float, float, int, str]:
    threads = min(threads, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency"]
    if server.connection_per_request:
        args += ["--header", "Connection: close"]
    args.append(server.thumbnail_url)
    return parse_wrk(subprocess.run(args, capture_output=True, text=True, timeout=duration + 60, check=True).stdout)


def parse_wrk(output: str) -> tuple[float, float, float, int, str]:
    """wrk's --latency report as (requests/s, p50 s, p99 s, requests, errors)."""
    requests_per_second = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    requests = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if not (requests_per_second and p50 and p99 and requests):
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    errors = [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith(("Non-2xx or 3xx responses", "Socket errors"))
    ]
    return (
        float(requests_per_second[1]),
        plain.seconds(p50[1]),
        plain.seconds(p99[1]),
        int(requests[1]),
        "; ".join(errors),
    )


def stop_server(processes, roots: list[int], seen: set[int]) -> None:
    """Stops the server's main processes, then anything of their trees that outlived them."""
    survivors_before = {pid: process_stat(pid) for pid in seen}
    for _, process in list(processes.running):
        if process.pid in roots:
            processes.stop(process)
    for pid, fields in survivors_before.items():
        now = process_stat(pid)
        # The same start time means the same process, not a new one that reused the number.
        if fields and now and now[19] == fields[19] and now[0] != "Z":
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def measure_server(
    name: str, start, folder: Path, processes, connections: int, duration: int, threads: int
) -> ServerResult:
    """A fresh server per concurrency, so each peak memory figure belongs to that concurrency alone.

    A run in which one process of several did nearly all the work (wrk's keep-alive connections stay with the
    process that accepted them) left a core idle, which says nothing of the server's speed: it is measured again,
    up to MAX_ATTEMPTS times.
    """
    folder.mkdir()
    server = start(folder)
    url, roots = server.thumbnail_url, server.roots
    watch = MemoryWatch(roots)
    try:
        with watch:
            thumbnail_bytes = check_thumbnail(url)
            run_wrk(server, connections, WARM_UP_SECONDS, threads)
            check_thumbnail(url)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                cpu_before = watch.cpu_snapshot()
                requests_per_second, p50, p99, requests, errors = run_wrk(server, connections, duration, threads)
                cpu_after = watch.cpu_snapshot()
                used = {pid: cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after}
                total_cpu = sum(used.values())
                busiest_share = max(used.values()) / total_cpu if total_cpu else 0.0
                if len(used) == 1 or busiest_share <= UNBALANCED_SHARE or attempt == MAX_ATTEMPTS:
                    break
                print(f"  {name} -c {connections}: one process did {busiest_share:.0%} of the work, again", flush=True)
    finally:
        stop_server(processes, roots, watch.seen)
    result = ServerResult(
        requests_per_second=requests_per_second,
        p50_seconds=p50,
        p99_seconds=p99,
        requests=requests,
        errors=errors,
        peak_rss_bytes=sum(watch.high_water.values()),
        peak_pss_bytes=watch.peak_pss,
        cpu_seconds_per_image=total_cpu / requests if requests else 0.0,
        busiest_cpu_share=busiest_share,
        process_count=len(used),
        attempts=attempt,
        thumbnail_bytes=thumbnail_bytes,
    )
    print(
        f"  {name} -c {connections}: {requests_per_second:.1f} req/s, p50 {p50 * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms,"
        f" peak RSS {result.peak_rss_bytes / 2**20:.0f} MiB, {thumbnail_bytes:,} B thumbnail"
        + (f", {errors}" if errors else ""),
        flush=True,
    )
    return result


def run_with_peak_rss(command: list[str]) -> tuple[str, int | None]:
    """Runs `command` once; its standard output, and its peak resident memory by GNU time (None without it)."""
    if not Path("/usr/bin/time").exists():
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout, None
    completed = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, check=True)
    return completed.stdout, int(completed.stderr.strip().splitlines()[-1]) * 1024


def time_command(command: list[str], runs: int, output: Path) -> tuple[float, float]:
    """Mean and standard deviation of one run, in seconds: hyperfine if it is there, else a timed loop."""
    if shutil.which("hyperfine"):
        report_file = output.with_suffix(".json")
        options = f"--shell=none --warmup 2 --runs {runs} --export-json {report_file}".split()
        subprocess.run(["hyperfine", *options, subprocess.list2cmdline(command)], check=True, capture_output=True)
        result = json.loads(report_file.read_text())["results"][0]
        report_file.unlink()
        return result["mean"], result["stddev"] or 0.0
    for _ in range(2):
        subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    mean = sum(times) / len(times)
    return mean, (sum((value - mean) ** 2 for value in times) / max(len(times) - 1, 1)) ** 0.5


# What thumbor's Pillow engine does for this request, timed in one process (two untimed runs first).
PILLOW_LOOP = """
import sys, time
from PIL import Image
photo, output, runs, width, height, quality = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
times = []
for _ in range(runs + 2):
    started = time.perf_counter()
    with Image.open(photo) as image:
        image.draft(None, (width, height))
        image.resize((width, height), Image.Resampling.LANCZOS).save(output, quality=quality)
    times.append(time.perf_counter() - started)
times = times[2:]
mean = sum(times) / len(times)
print(mean, (sum((t - mean) ** 2 for t in times) / max(len(times) - 1, 1)) ** 0.5)
"""


def measure_engines(photo: Path, folder: Path, runs: int) -> list[EngineResult]:
    folder.mkdir()
    output = folder / "out.jpg"
    commands = [
        ("ImageMagick convert", [CONVERT, str(photo), "-resize", f"{WIDTH}x", str(output)]),
        (
            "ImageMagick convert, jpeg:size hint",
            [
                CONVERT,
                "-define",
                f"jpeg:size={2 * WIDTH}x{2 * HEIGHT}",
                str(photo),
                "-resize",
                f"{WIDTH}x",
                str(output),
            ],
        ),
        ("libvips vipsthumbnail", ["vipsthumbnail", str(photo), "-s", str(WIDTH), "-o", str(output)]),
    ]
    results = []
    for name, command in commands:
        if not shutil.which(command[0]):
            print(f"  {name}: {command[0]} is missing, left out", flush=True)
            continue
        subprocess.run(command, check=True, capture_output=True)
        check_file(output)
        mean, stddev = time_command(command, runs, output)
        _, memory = run_with_peak_rss(command)
        check_file(output)
        shown = " ".join([Path(command[0]).name, *(Path(a).name if "/" in a else a for a in command[1:])])
        results.append(EngineResult(name, shown, mean * 1e3, stddev * 1e3, runs, memory))
        print(f"  {name}: {mean * 1e3:.1f} ms per image", flush=True)
    if importlib.util.find_spec("PIL") is not None:
        # thumbor's engine without thumbor: in one process, so no interpreter start-up is counted.
        arguments = [str(photo), str(output), *map(str, (runs, WIDTH, HEIGHT, QUALITY))]
        printed, memory = run_with_peak_rss([sys.executable, "-c", PILLOW_LOOP, *arguments])
        mean, stddev = map(float, printed.split())
        check_file(output)
        results.append(
            EngineResult(
                f"Pillow in one process (draft + LANCZOS, q{QUALITY})",
                f"Image.open; draft(None, ({WIDTH}, {HEIGHT})); resize(LANCZOS); save(quality={QUALITY})",
                mean * 1e3,
                stddev * 1e3,
                runs,
                memory,
            )
        )
        print(f"  Pillow: {mean * 1e3:.1f} ms per image", flush=True)
    return results


def run(
    binary: Path | None, work: Path, processes, duration: int = 15, threads: int = 2, engine_runs: int = 10
) -> ImageResults:
    """Measures every peer in `work` (a fresh folder); `binary` None leaves Refract out."""
    storage = work / "storage"
    (storage / BUCKET).mkdir(parents=True)
    photo = make_photo(storage / BUCKET)
    cores = os.cpu_count() or 1
    results = ImageResults(photo.stat().st_size, duration, threads, load_average=os.getloadavg()[0])
    peers = {
        "Refract": None if binary is None else lambda folder: start_refract(binary, storage, folder, processes),
        "thumbor": lambda folder: start_thumbor(storage, folder, processes, cores),
        "nginx image_filter": lambda folder: start_image_filter(storage, folder, processes, cores),
    }
    for name, start in peers.items():
        results.servers[name] = {connections: NOT_MEASURED for connections in CONCURRENCIES}
        if start is None:
            continue
        print(name, flush=True)
        for connections in CONCURRENCIES:
            folder = work / f"{name.split()[-1].lower()}-c{connections}"
            try:
                outcome = measure_server(name, start, folder, processes, connections, duration, threads)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                # A broken peer gets no number, only the reason; the others are still measured.
                processes.stop_all()
                outcome = f"failed: {str(error).strip().splitlines()[0].rstrip(':')}"
                print(f"  {name} -c {connections}: {outcome}", flush=True)
            results.servers[name][connections] = outcome
    print("engines, one image at a time", flush=True)
    results.engines = measure_engines(photo, work / "engines", engine_runs)
    return results


# Report.


def tool_version(args: list[str]) -> str:
    try:
        return plain.command_version(args)
    except (OSError, IndexError):
        return f"{args[0]} missing"


def python_package_version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001 - any failure means "not installed" here
        return "missing"


def mebibytes(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:,.0f} MiB"


def report(results: ImageResults, binary: Path | None) -> str:
    cores = os.cpu_count() or 1
    if binary is None:
        refract_build = "not measured"
    else:
        refract_build = "release build" if "/release/" in str(binary) else str(binary)
    lines = [
        "## Image resize: one 4000x3000 JPEG to 300 px wide",
        "",
        f"A 4000x3000 JPEG made at run time ({results.photo_bytes / 1e6:.1f} MB: a fractal plasma with Gaussian grain,"
        " quality 90, by ImageMagick) resized to a 300x225 JPEG, over and over, by each server on 127.0.0.1 from the"
        f" same file, driven by wrk ({results.threads} threads at most, keep-alive unless said below, --latency) for"
        f" {results.duration} s after a {WARM_UP_SECONDS} s warm-up, at each concurrency. Each server is started"
        " afresh for each concurrency, and its answer is checked to be a 300x225 JPEG before it is timed. Every"
        f" server encodes at quality {QUALITY} (Refract's default) and keeps no result cache, so each request"
        " decodes and resizes.",
        "",
        f"- Refract ({refract_build}): `GET /{BUCKET}/{PHOTO}!resize:w={WIDTH}`, filesystem store, public bucket,"
        " access log off, `transforms.image.workers: 0` (one worker per core), ImageMagick (MagickWand) underneath.",
        f"- thumbor {python_package_version('thumbor')} (Pillow {python_package_version('Pillow')} engine, its"
        f" defaults: draft-mode JPEG decode, LANCZOS): {cores} single-process instances (one per core) behind an"
        f" nginx (1 worker) proxy with `least_conn` and upstream keep-alive; `GET /unsafe/{WIDTH}x0/{PHOTO}`,"
        " file loader on the same folder, no storage, no result storage. The proxy's processes count in its memory.",
        f"- nginx image_filter (libgd): `image_filter resize {WIDTH} -;`, `image_filter_buffer 64m`,"
        f" `image_filter_jpeg_quality {QUALITY}`, `worker_processes {cores}`. wrk sends it `Connection: close`: its"
        " workers share one listening socket and keep-alive connections stay with the worker that accepted them,"
        " which often put both of 2 connections on one worker and left a core idle; a connection per request goes"
        " to a waiting worker.",
        "- Peak RSS is the sum over the server's processes of each one's VmHWM (/proc/PID/status): pages shared"
        " between processes (nginx's, the Python interpreter's) count once per process, which overstates"
        f" multi-process servers; peak PSS, sampled every {SAMPLE_INTERVAL} s, splits shared pages between them."
        " CPU/image is the CPU time of all the server's processes during the timed run divided by the responses:"
        " it does not depend on how the cores are shared with wrk.",
        f"- Machine: {cores} cores, shared by wrk and the server, so requests/s compare servers, not capacity;"
        f" 1-minute load average {results.load_average:.2f} when this section started.",
        f"- {tool_version(['nginx', '-v'])}; {tool_version([CONVERT, '-version']).removeprefix('Version: ')};"
        f" {tool_version(['vips', '--version'])}; {tool_version(['wrk', '-v'])};"
        f" {tool_version(['hyperfine', '--version'])}",
        "",
    ]
    refract = results.servers.get("Refract", {})
    for connections in CONCURRENCIES:
        lines += [
            f"### {connections} connections",
            "",
            "| server | requests/s | p50 latency | p99 latency | CPU/image | peak RSS (sum of VmHWM) | peak PSS |"
            " thumbnail | Refract ÷ this (requests/s) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        errors, imbalanced, repeated = [], [], []
        for name, by_concurrency in results.servers.items():
            result = by_concurrency[connections]
            if isinstance(result, str):
                lines.append(f"| {name} | {result} | | | | | | | |")
                continue
            mine = refract.get(connections)
            ratio = (
                f"{mine.requests_per_second / result.requests_per_second:.2f}x"
                if isinstance(mine, ServerResult) and name != "Refract" and result.requests_per_second
                else ""
            )
            flag = " (errors, see below)" if result.errors else ""
            lines.append(
                f"| {name} | {result.requests_per_second:,.1f}{flag} | {plain.format_latency(result.p50_seconds)} |"
                f" {plain.format_latency(result.p99_seconds)} | {result.cpu_seconds_per_image * 1e3:.0f} ms |"
                f" {mebibytes(result.peak_rss_bytes)} | {mebibytes(result.peak_pss_bytes)} |"
                f" {result.thumbnail_bytes / 1e3:.1f} kB | {ratio} |"
            )
            if result.errors:
                errors.append(f"{name}: {result.errors}")
            if result.process_count > 1 and result.busiest_cpu_share > UNBALANCED_SHARE:
                imbalanced.append(f"{name} ({result.busiest_cpu_share:.0%})")
            if result.attempts > 1:
                repeated.append(f"{name} ({result.attempts} timed runs)")
        if errors:
            lines += ["", f"wrk reported errors (error responses count in requests/s): {'; '.join(errors)}"]
        if repeated:
            lines += [
                "",
                "Measured again because wrk's connections had all landed on one process, leaving a core idle: "
                f"{', '.join(repeated)}; the table has the last run.",
            ]
        if imbalanced:
            lines += ["", f"One process still did most of the work (share of CPU time): {', '.join(imbalanced)}."]
        lines.append("")
    lines += [
        "### The engines alone, one image at a time",
        "",
        "Each command run on the same photo to a 300x225 JPEG (output checked), timed with"
        f" {'hyperfine (--shell=none, 2 warm-up runs)' if shutil.which('hyperfine') else 'a loop'}: process start-up"
        " included, except for Pillow, timed in one process. ImageMagick uses its OpenMP threads (all cores);"
        " convert keeps the source's quality (90) and vipsthumbnail writes its default (75). Peak RSS by GNU time.",
        "",
        "| engine | command | ms per image | ± | peak RSS | runs |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for engine in results.engines:
        lines.append(
            f"| {engine.name} | `{engine.command}` | {engine.milliseconds:.1f} | {engine.stddev_milliseconds:.1f} |"
            f" {mebibytes(engine.peak_rss_bytes)} | {engine.runs} |"
        )
    lines.append("")
    return "\n".join(lines)


def section_options(
    description: str, duration: int | None, add_options=None
) -> tuple[argparse.Namespace, Path | None]:
    """The options every bench section takes (--duration and --threads for those measured with wrk, the ones given
    a `duration`), and the binary to measure (None with --skip-refract)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--binary", type=Path, default=Path(os.environ.get("REFRACT_BIN", REPO / ".build/release/refract"))
    )
    parser.add_argument("--skip-refract", action="store_true", default=os.environ.get("REFRACT_BENCH_SKIP") == "1")
    if duration is not None:
        parser.add_argument(
            "--duration", type=int, default=duration, help=f"seconds per measurement (default {duration})"
        )
        parser.add_argument(
            "--threads", type=int, default=2, help="wrk threads, at most one per connection (default 2)"
        )
    parser.add_argument("--output", type=Path, help="write the section here instead of printing it")
    if add_options:
        add_options(parser)
    options = parser.parse_args()
    if not options.skip_refract and not os.access(options.binary, os.X_OK):
        parser.error(f"no refract binary at {options.binary} (run `swift build -c release`, or pass --skip-refract)")
    return options, None if options.skip_refract else options.binary


def main() -> int:
    options, binary = section_options(
        __doc__.splitlines()[0],
        15,
        lambda parser: parser.add_argument(
            "--engine-runs", type=int, default=10, help="timed runs of each engine command (default 10)"
        ),
    )
    return run_standalone(
        "images",
        lambda folder, processes: run(
            binary, folder, processes, options.duration, options.threads, options.engine_runs
        ),
        lambda results: report(results, binary),
        options.output,
    )


def failure(error: Exception) -> str:
    """What a section's row says of a path that could not be measured: the error's first line."""
    return f"failed: {str(error).strip().splitlines()[0].rstrip(':')}"


def wrk_section_main(name: str, description: str, run, report) -> int:
    """The standalone `main` of a section measured with wrk: `run(binary, folder, processes, duration, threads)`."""
    options, binary = section_options(description, 10)
    return run_standalone(
        name,
        lambda folder, processes: run(binary, folder, processes, options.duration, options.threads),
        lambda results: report(results, binary),
        options.output,
    )


def run_standalone(name: str, measure, render, output: Path | None) -> int:
    """Runs one section on its own: `measure(folder, processes)` in a temporary folder with every server stopped
    afterwards, then its `render`ed report written to `output` (or printed); fails when something was not measured.
    """
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    processes = plain.Processes()
    with tempfile.TemporaryDirectory(prefix=f"refract-bench-{name}-") as folder:
        try:
            results = measure(Path(folder), processes)
        finally:
            processes.stop_all()
    section = render(results)
    if output:
        output.write_text(section)
        print(f"wrote {output}")
    else:
        print(section)
    for failure in results.failures:
        print(f"not measured: {failure}", file=sys.stderr)
    return 1 if results.failures else 0

if __name__ == "__main__":
    sys.exit(main())
