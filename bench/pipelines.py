#!/usr/bin/env python3
"""Upload pipelines: 12-megapixel JPEG uploads through SPEC §4's example pipeline, against one process per output.

Measured: the time from the first upload until every derivative exists, against the classic serverless set-up that runs
one process per upload and output, in sequence. A few 4000x3000 JPEGs are made at run time (a fractal plasma with
Gaussian grain at quality 90, as the image section makes its photo, one seed per variant), each given a camera's EXIF by
exiftool (Make, Model, DateTimeOriginal, exposure, GPS position); the uploads go round them under keys
`uploads/2026/photo-0001.jpg` and on. Refract (release build; filesystem store, SQLite queue) runs the pipeline of SPEC
§4: `resized/480/{key}` (`resize:w=480`, JPEG), `resized/1000/{stem}.webp` (`resize:w=1000!format:webp`) and
`meta/{key}.json` (`exif`). boto3 PUTs every upload from a small thread pool; the clock starts before the first PUT and
stops when the last derivative is in the store's folder (the filesystem store publishes an object by renaming a finished
file into place, so a file there is whole), with the queue's dead letters watched so a failing pipeline fails the
section instead of being waited on. The baseline is the function of a classic serverless set-up, run for each upload in
turn as the file lands in a folder: `convert` once per image output and `exiftool -json` for the metadata (`convert`
cannot write EXIF as JSON; exiftool is the EXIF peer the EXIF section measures), one process each, one after the other.
Refract's resize differs in how it works, which explains part of the gap: it decodes a JPEG with libjpeg's DCT scaling
(`jpeg:size`, 1/8 of the full size for 480 px, 2/8 for 1000 px) and resamples that with Lanczos, where `convert` decodes
all 12 megapixels; its `exif` reads the first 256 KiB of the object, not the file. A sample of both sides' derivatives
is checked (sizes, formats, the EXIF's Make), so a broken path never gives a number. `bench/run` (`make bench`) calls
`run` and `report` and writes the section into BENCHMARKS.md; run alone, this file prints it (or writes it with
--output). Every process started is stopped when it ends, also on failure or Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

import exif  # bench/exif.py: its cameras' EXIF and exiftool
import images  # bench/images.py: the helpers the sections share

plain = images.plain
BUCKET = "photos"
FOLDER = "uploads/2026/"
PIPELINE = "thumbnails"
UPLOADS = 500
VARIANTS = 4
UPLOAD_THREADS = 8
TIMEOUT_SECONDS = 30 * 60
SAMPLES = 5
SOURCE_WIDTH, SOURCE_HEIGHT = 4000, 3000
SMALL = (480, 360)  # resize:w=480 of a 4000x3000
LARGE = (1000, 750)  # resize:w=1000
QUALITY = images.QUALITY  # Refract's default output quality; the baseline's convert is set to it
REGION = "us-east-1"
# The uploader: allowed to write uploads and to read the queue (refract:Admin), nothing else.
KEY_ID = "AKIABENCHPIPELINES00"
SECRET = "bench-pipelines-secret-0123456789abcdefg"
POLL_SECONDS = 0.1
JOBS_POLL_SECONDS = 2.0
IDENTIFY = "/usr/bin/identify"  # ImageMagick's, beside images.CONVERT
NOT_MEASURED = "not measured"
# What a failing gateway, client or check raises: the Refract row gives the reason and the baseline is still measured.
REFRACT_ERRORS = (RuntimeError, OSError, ValueError, KeyError, subprocess.SubprocessError, BotoCoreError, ClientError)


@dataclass(frozen=True)
class Photo:
    path: Path
    make: str  # the EXIF Make it was tagged with, looked for in the metadata output


@dataclass(frozen=True)
class Timing:
    """One side's run over all the uploads."""

    seconds: float  # from the first upload (or copy) to the last derivative
    uploads_seconds: float | None  # from the first PUT to the last one answered; None for the baseline
    cpu_seconds: float  # Refract's process, or the baseline's children, over the run
    peak_rss_bytes: int | None  # Refract's VmHWM, or the largest baseline process's peak
    jpeg_bytes: float  # mean size of the checked 480 px JPEGs
    webp_bytes: float  # mean size of the checked 1000 px WebPs
    retries: int = 0  # Refract's job attempts beyond the first


@dataclass
class PipelineResults:
    uploads: int
    upload_threads: int
    image_bytes: list[int]  # each variant's size
    load_average: float  # the 1-minute load average when the section started: other work skews every figure
    refract: Timing | str = NOT_MEASURED
    baseline: Timing | str = NOT_MEASURED

    @property
    def derivatives(self) -> int:
        return 3 * self.uploads

    @property
    def ratio(self) -> float | None:
        """How many times faster Refract is: the baseline's time over Refract's."""
        if isinstance(self.refract, Timing) and isinstance(self.baseline, Timing) and self.refract.seconds:
            return self.baseline.seconds / self.refract.seconds
        return None

    @property
    def failures(self) -> list[str]:
        """Why a side could not be measured (its row says so too); not for one deliberately left out."""
        return [
            f"{name}: {outcome}"
            for name, outcome in (("Refract", self.refract), ("baseline", self.baseline))
            if isinstance(outcome, str) and outcome != NOT_MEASURED
        ]


# The uploads.


def make_photos(folder: Path, variants: int) -> list[Photo]:
    """`variants` 4000x3000 JPEGs at quality 90, each its own plasma and its own camera's EXIF."""
    folder.mkdir(parents=True)
    photos = []
    for index, (make, model, exposure, fnumber, iso, focal, latitude, longitude, altitude) in enumerate(
        exif.CAMERAS[:variants]
    ):
        path = folder / f"variant-{index + 1}.jpg"
        recipe = (
            f"-seed {index + 1} -size {SOURCE_WIDTH}x{SOURCE_HEIGHT} plasma:fractal -attenuate 0.4 +noise Gaussian"
            " -quality 90"
        )
        subprocess.run([images.CONVERT, *recipe.split(), str(path)], check=True, capture_output=True)
        (lat, lat_ref), (lon, lon_ref) = latitude.split(), longitude.split()
        assignments = [
            f"-Make={make}", f"-Model={model}", f"-DateTimeOriginal=2026:0{index + 1}:1{index} 1{index}:2{index}:00",
            "-Orientation=1", f"-ExposureTime={exposure}", f"-FNumber={fnumber}", f"-ISO={iso}",
            f"-FocalLength={focal}", f"-GPSLatitude={lat}", f"-GPSLatitudeRef={lat_ref}", f"-GPSLongitude={lon}",
            f"-GPSLongitudeRef={lon_ref}", f"-GPSAltitude={abs(altitude)}",
            f"-GPSAltitudeRef={1 if altitude < 0 else 0}", "-n",
        ]  # fmt: skip
        subprocess.run([exif.EXIFTOOL, "-q", "-overwrite_original", *assignments, str(path)], check=True)
        if images.jpeg_dimensions(path.read_bytes()) != (SOURCE_WIDTH, SOURCE_HEIGHT):
            raise RuntimeError(f"{images.CONVERT} did not make a {SOURCE_WIDTH}x{SOURCE_HEIGHT} JPEG")
        photos.append(Photo(path, make))
    return photos


def upload_plan(uploads: int, variants: int) -> list[tuple[str, int]]:
    """Each upload's key and the variant it carries, going round the variants."""
    return [(f"{FOLDER}photo-{index + 1:04d}.jpg", index % variants) for index in range(uploads)]


def derivative_keys(key: str) -> list[str]:
    """SPEC §4's outputs of `key`, in the pipeline's order: 480 px JPEG, 1000 px WebP, EXIF JSON."""
    stem = key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return [f"resized/480/{key}", f"resized/1000/{stem}.webp", f"meta/{key}.json"]


def sample_indices(uploads: int) -> list[int]:
    """SAMPLES uploads spread over the run, first and last included."""
    if uploads <= SAMPLES:
        return list(range(uploads))
    return sorted({round(step * (uploads - 1) / (SAMPLES - 1)) for step in range(SAMPLES)})


def identify(path: Path) -> tuple[str, int, int]:
    completed = subprocess.run([IDENTIFY, "-format", "%m %w %h", str(path)], capture_output=True, text=True, check=True)
    kind, width, height = completed.stdout.split()
    return kind, int(width), int(height)


def check_samples(folder: Path, plan: list[tuple[str, int]], photos: list[Photo], make_of) -> tuple[float, float]:
    """The sampled uploads' derivatives under `folder` must be a 480x360 JPEG, a 1000x750 WebP and JSON whose Make
    (`make_of(parsed)`) is the variant's; returns the mean size of the JPEGs and of the WebPs."""
    jpeg_sizes, webp_sizes = [], []
    for index in sample_indices(len(plan)):
        key, variant = plan[index]
        small, large, meta = (folder / name for name in derivative_keys(key))
        for path, expected in ((small, ("JPEG", *SMALL)), (large, ("WEBP", *LARGE))):
            found = identify(path)
            if found != expected:
                raise RuntimeError(f"{path.relative_to(folder)} is {' '.join(map(str, found))}, not {expected}")
        try:
            make = make_of(json.loads(meta.read_text()))
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise RuntimeError(f"{meta.relative_to(folder)} is not the EXIF JSON expected: {error!r}") from error
        if make != photos[variant].make:
            raise RuntimeError(f"{meta.relative_to(folder)} gives the Make {make!r}, not {photos[variant].make!r}")
        jpeg_sizes.append(small.stat().st_size)
        webp_sizes.append(large.stat().st_size)
    return sum(jpeg_sizes) / len(jpeg_sizes), sum(webp_sizes) / len(webp_sizes)


# Refract.


def start_refract(binary: Path, storage: Path, folder: Path, processes) -> tuple[str, subprocess.Popen]:
    (storage / BUCKET).mkdir(parents=True)
    (folder / "state").mkdir(parents=True)
    # SPEC §4's example pipeline, retry included.
    more = f"""security:
  users:
    - access_key_id: {KEY_ID}
      secret_access_key: {SECRET}
      allow: ["s3:PutObject {BUCKET}/{FOLDER.split("/")[0]}/*", "refract:Admin *"]
pipelines:
  - name: {PIPELINE}
    bucket: {BUCKET}
    events: [put]
    match: {{prefix: "uploads/", suffix: [".jpg", ".jpeg", ".png"]}}
    outputs:
      - {{key: "resized/480/{{key}}",        pipeline: "resize:w=480"}}
      - {{key: "resized/1000/{{stem}}.webp", pipeline: "resize:w=1000!format:webp"}}
      - {{key: "meta/{{key}}.json",          pipeline: "exif"}}
    retry: {{max_attempts: 5, backoff: 1s, max_backoff: 5m}}
queue: {{url: "sqlite://{folder / "state" / "refract.db"}"}}
"""
    return images.serve_folder(binary, storage, folder, processes, more=more, bucket=BUCKET, public=False)


def s3_client(url: str, threads: int):
    """boto3 as users configure it for a path-style endpoint; no retries, so a refused PUT fails the run."""
    config = Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        retries={"max_attempts": 1, "mode": "standard"},
        max_pool_connections=threads,
        connect_timeout=10,
        read_timeout=300,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=config,
    )


def jobs(url: str, query: str) -> dict:
    """`GET /_refract/jobs?QUERY`, signed with SigV4 as the user (refract:Admin)."""
    request = AWSRequest(method="GET", url=f"{url}/_refract/jobs?{query}")
    S3SigV4Auth(Credentials(KEY_ID, SECRET), "s3", REGION).add_auth(request)
    try:
        with urllib.request.urlopen(
            urllib.request.Request(request.url, headers=dict(request.headers.items())), timeout=30
        ) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"/_refract/jobs?{query} answered {error.code}: {error.read()[:300]!r}") from error


def upload_all(client, bodies: list[bytes], plan: list[tuple[str, int]], threads: int, started: float) -> float:
    """PUTs every upload, `threads` at a time; returns the seconds from `started` to the last PUT answered."""

    def put(index: int) -> float:
        key, variant = plan[index]
        client.put_object(Bucket=BUCKET, Key=key, Body=bodies[variant], ContentType="image/jpeg")
        return time.perf_counter()

    pool = ThreadPoolExecutor(max_workers=threads)
    try:
        futures = [pool.submit(put, index) for index in range(len(plan))]
        answered = [future.result() for future in as_completed(futures)]
    finally:
        # On a failure or Ctrl-C the PUTs not yet started are dropped, not sent.
        pool.shutdown(wait=True, cancel_futures=True)
    return max(answered) - started


def wait_for_derivatives(
    bucket_folder: Path, plan: list[tuple[str, int]], url: str, process: subprocess.Popen, started: float, timeout: int
) -> float:
    """Seconds from `started` until every derivative is in `bucket_folder`. Fails as soon as the queue dead-letters
    a job, the jobs are all finished with derivatives missing, the gateway exits, or `timeout` passes."""
    missing = deque(bucket_folder / name for key, _ in plan for name in derivative_keys(key))
    total = len(missing)
    jobs_checked = 0.0
    while True:
        # Only the first missing file is looked at until it appears: finding all of them is the point, and the
        # poll should not take CPU time from the gateway.
        while missing and missing[0].exists():
            missing.popleft()
        now = time.perf_counter()
        if not missing:
            return now - started
        if process.poll() is not None:
            raise RuntimeError(f"refract exited with {process.returncode} before the derivatives were written")
        if now - jobs_checked >= JOBS_POLL_SECONDS:
            jobs_checked = now
            counts = jobs(url, "limit=1")["counts"]
            if counts["dead"]:
                dead = jobs(url, "state=dead&limit=1")["jobs"][0]
                raise RuntimeError(
                    f"{counts['dead']} jobs dead-lettered, e.g. {dead['key']}: {dead.get('lastError', 'no error')}"
                )
            finished = counts["pending"] + counts["running"] == 0 and counts["done"] >= len(plan)
            # The counts were read after the files were looked at: look again before calling one missing.
            absent = [path for path in missing if not path.exists()] if finished else []
            if absent:
                example = absent[0].relative_to(bucket_folder)
                raise RuntimeError(f"every job is done but {len(absent)} derivatives are missing, e.g. {example}")
        if now - started > timeout:
            raise RuntimeError(f"{len(missing)} of {total} derivatives still missing after {timeout} s")
        time.sleep(POLL_SECONDS)


def job_retries(url: str, uploads: int) -> int:
    """Every job must be done with its outputs written; returns the attempts they took beyond the first."""
    listed = jobs(url, f"state=done&limit={min(uploads, 10_000)}")
    if listed["counts"]["done"] != uploads or listed["counts"]["dead"]:
        raise RuntimeError(f"the queue counts {listed['counts']} for {uploads} uploads")
    not_written = [job for job in listed["jobs"] if job.get("outcome") != "done"]
    if not_written:
        raise RuntimeError(f"{len(not_written)} jobs ended without writing, e.g. {not_written[0]}")
    return sum(job["attempts"] - 1 for job in listed["jobs"])


def measure_refract(
    binary: Path, work: Path, processes, photos: list[Photo], plan: list[tuple[str, int]], threads: int, timeout: int
) -> Timing:
    storage = work / "storage"
    url, process = start_refract(binary, storage, work, processes)
    try:
        client = s3_client(url, threads)
        bodies = [photo.path.read_bytes() for photo in photos]
        cpu_before = images.cpu_seconds(process.pid)
        started = time.perf_counter()
        uploads_seconds = upload_all(client, bodies, plan, threads, started)
        print(f"  {len(plan)} uploads answered in {uploads_seconds:.1f} s", flush=True)
        seconds = wait_for_derivatives(storage / BUCKET, plan, url, process, started, timeout)
        cpu_after = images.cpu_seconds(process.pid)
        retries = job_retries(url, len(plan))
        jpeg_bytes, webp_bytes = check_samples(
            storage / BUCKET, plan, photos, lambda parsed: parsed["exif"]["IFD0"]["Make"]
        )
        peak = images.status_kilobytes(process.pid, "VmHWM")
    finally:
        processes.stop(process)
    if cpu_before is None or cpu_after is None:
        raise RuntimeError("cannot read refract's CPU time from /proc")
    return Timing(
        seconds=seconds,
        uploads_seconds=uploads_seconds,
        cpu_seconds=cpu_after - cpu_before,
        peak_rss_bytes=None if peak is None else peak * 1024,
        jpeg_bytes=jpeg_bytes,
        webp_bytes=webp_bytes,
        retries=retries,
    )


# The baseline.


def run_child(args: list[str], stdout, errors) -> tuple[float, int]:
    """Runs one process to its end; its CPU seconds and peak resident bytes (its own rusage, from wait4)."""
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=stdout, stderr=errors)
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        process.kill()
        process.wait()
        raise
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(args)} exited with {process.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def measure_baseline(work: Path, photos: list[Photo], plan: list[tuple[str, int]]) -> Timing:
    """Each upload in turn: copied into the incoming folder, then its three outputs, one process each."""
    incoming, outputs = work / "incoming", work / "outputs"
    log = work / "stderr.log"
    work.mkdir(parents=True)
    cpu, peak = 0.0, 0
    started = time.perf_counter()
    with open(log, "wb") as errors:
        try:
            for key, variant in plan:
                source = incoming / key
                source.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(photos[variant].path, source)
                small, large, meta = (outputs / name for name in derivative_keys(key))
                for output in (small, large, meta):
                    output.parent.mkdir(parents=True, exist_ok=True)
                resize = [images.CONVERT, str(source), "-resize"]
                runs = [
                    run_child([*resize, f"{SMALL[0]}x", "-quality", str(QUALITY), str(small)], None, errors),
                    run_child([*resize, f"{LARGE[0]}x", "-quality", str(QUALITY), str(large)], None, errors),
                ]
                with open(meta, "wb") as json_file:
                    runs.append(run_child([exif.EXIFTOOL, "-json", str(source)], json_file, errors))
                cpu += sum(seconds for seconds, _ in runs)
                peak = max(peak, *(resident for _, resident in runs))
        except RuntimeError as error:
            errors.flush()
            raise RuntimeError(f"{error}: {log.read_text(errors='replace').strip()[-300:]}") from error
    seconds = time.perf_counter() - started
    jpeg_bytes, webp_bytes = check_samples(outputs, plan, photos, lambda parsed: parsed[0]["Make"])
    return Timing(
        seconds=seconds,
        uploads_seconds=None,
        cpu_seconds=cpu,
        peak_rss_bytes=peak,
        jpeg_bytes=jpeg_bytes,
        webp_bytes=webp_bytes,
    )


def run(
    binary: Path | None,
    work: Path,
    processes,
    uploads: int = UPLOADS,
    variants: int = VARIANTS,
    upload_threads: int = UPLOAD_THREADS,
    timeout: int = TIMEOUT_SECONDS,
) -> PipelineResults:
    """Measures Refract and the baseline in `work` (a fresh folder); `binary` None leaves Refract out."""
    if not 1 <= variants <= len(exif.CAMERAS):
        raise ValueError(f"variants must be 1 to {len(exif.CAMERAS)}")
    work.mkdir(parents=True, exist_ok=True)
    load_average = os.getloadavg()[0]
    print(f"making {variants} 12-megapixel JPEGs", flush=True)
    photos = make_photos(work / "photos", variants)
    plan = upload_plan(uploads, variants)
    results = PipelineResults(
        uploads=uploads,
        upload_threads=upload_threads,
        image_bytes=[photo.path.stat().st_size for photo in photos],
        load_average=load_average,
    )
    if binary is not None:
        print(f"Refract, {uploads} uploads", flush=True)
        try:
            results.refract = measure_refract(
                binary, work / "refract", processes, photos, plan, upload_threads, timeout
            )
            print(f"  every derivative in {results.refract.seconds:.1f} s", flush=True)
        except REFRACT_ERRORS as error:
            results.refract = images.failure(error)
            print(f"  Refract: {results.refract}", flush=True)
        finally:
            processes.stop_all()
    print(f"baseline, {uploads} uploads in sequence", flush=True)
    try:
        results.baseline = measure_baseline(work / "baseline", photos, plan)
        print(f"  every output in {results.baseline.seconds:.1f} s", flush=True)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        results.baseline = images.failure(error)
        print(f"  baseline: {results.baseline}", flush=True)
    return results


# Report.


def duration(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds < 120 else f"{seconds / 60:,.1f} min ({seconds:,.0f} s)"


def report(results: PipelineResults, binary: Path | None) -> str:
    refract_build = "not measured" if binary is None else "release build" if "/release/" in str(binary) else binary
    cores = os.cpu_count() or 1
    sizes = results.image_bytes
    smallest, largest = f"{min(sizes) / 1e6:.1f}", f"{max(sizes) / 1e6:.1f}"
    size_range = smallest if smallest == largest else f"{smallest}–{largest}"
    lines = [
        f"## Upload pipelines: {results.uploads} uploads of 12-megapixel JPEGs, {results.derivatives} derivatives",
        "",
        f"{len(sizes)} {SOURCE_WIDTH}x{SOURCE_HEIGHT} JPEGs made at run time ({size_range} MB: a fractal plasma with"
        " Gaussian grain at quality 90 by ImageMagick, one seed each), each given a camera's EXIF by exiftool (Make,"
        f" Model, DateTimeOriginal, exposure, GPS position); the {results.uploads} uploads go round them, under keys"
        f" `{FOLDER}photo-0001.jpg` and on. Each upload gets SPEC §4's three derivatives: `resized/480/{{key}}`"
        f" ({SMALL[0]}x{SMALL[1]} JPEG), `resized/1000/{{stem}}.webp` ({LARGE[0]}x{LARGE[1]} WebP) and"
        " `meta/{key}.json` (its EXIF as JSON). The time is from the first upload to the last derivative written."
        " Both sides' derivatives are checked on a sample of uploads (sizes, formats, the EXIF's Make) before their"
        " time counts.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- Refract ({refract_build}): SPEC §4's example pipeline (`retry: {{max_attempts: 5, backoff: 1s,"
        " max_backoff: 5m}`), filesystem store, SQLite queue (WAL, `synchronous=FULL`: each job committed before"
        " its PUT is answered), access log off, defaults otherwise: the worker runs one job per core at a time, each"
        " job's outputs one after the other, each reading the source from the store. boto3"
        f" {images.python_package_version('boto3')} PUTs the uploads from {results.upload_threads} threads"
        " (SigV4, path style, no retries), on the same cores; the clock stops when the last derivative is in the"
        " store's folder (polled every 0.1 s; an object appears there by rename, whole), and a dead-lettered job"
        " fails the run instead of being waited on. Refract decodes a JPEG for a resize with libjpeg's DCT scaling"
        " (`jpeg:size`: 1/8 of the full size for 480 px, 2/8 for 1000 px) and resamples that with Lanczos;"
        " `exif` reads the first 256 KiB of the object. Every object it writes is fsynced.",
        "- Baseline: the function of a classic serverless set-up (one process per upload and output), run for each"
        " upload in turn as its file is copied into an incoming folder: `convert SRC -resize 480x -quality"
        f" {QUALITY} OUT.jpg`, `convert SRC -resize 1000x -quality {QUALITY} OUT.webp` (a full 12-megapixel decode"
        " each, ImageMagick's default filter, its OpenMP threads on every core; its JPEG keeps the source's EXIF"
        " and 4:4:4 chroma, where Refract strips metadata and writes 4:2:0 below quality 90, hence the sizes) and"
        " `exiftool -json SRC > OUT.json` (`convert` cannot write EXIF as JSON; exiftool is the EXIF peer of the"
        " EXIF section), one after the other. From the first copy to the last output; no fsync, no queue, no"
        " network.",
        "- CPU per upload: Refract's process from the first PUT to the last derivative (receiving the uploads"
        " included), or the baseline's processes; the client's (boto3) and the copies' are not counted. Peak RSS:"
        " Refract's VmHWM, or the largest baseline process's (wait4's rusage).",
        f"- Machine: {cores} cores ({plain.cpu_model()}); 1-minute load average {results.load_average:.2f} when this"
        f" section started. {images.tool_version([images.CONVERT, '-version']).removeprefix('Version: ')}; exiftool"
        f" {images.tool_version([exif.EXIFTOOL, '-ver'])}.",
        "",
        "| | first upload to last derivative | last upload answered | uploads/s | derivatives/s | CPU per upload |"
        " peak RSS | 480 px JPEG | 1000 px WebP | baseline time ÷ this |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratio = results.ratio
    rows = (
        ("Refract", results.refract, "" if ratio is None else f"{ratio:.2f}x"),
        ("Baseline (convert, exiftool: a process per upload and output)", results.baseline, "1.00x"),
    )
    for name, outcome, ratio_cell in rows:
        if isinstance(outcome, str):
            lines.append(f"| {name} | {outcome} | | | | | | | | |")
            continue
        uploaded = "" if outcome.uploads_seconds is None else duration(outcome.uploads_seconds)
        lines.append(
            f"| {name} | {duration(outcome.seconds)} | {uploaded} | {results.uploads / outcome.seconds:,.2f} |"
            f" {results.derivatives / outcome.seconds:,.2f} | {outcome.cpu_seconds / results.uploads * 1e3:,.0f} ms |"
            f" {images.mebibytes(outcome.peak_rss_bytes)} | {outcome.jpeg_bytes / 1e3:,.1f} kB |"
            f" {outcome.webp_bytes / 1e3:,.1f} kB | {ratio_cell} |"
        )
    if isinstance(results.refract, Timing) and results.refract.retries:
        lines += ["", f"Refract's jobs took {results.refract.retries} attempts beyond the first (retried failures)."]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    def add_options(parser):
        parser.add_argument("--uploads", type=int, default=UPLOADS, help=f"uploads (default {UPLOADS})")
        parser.add_argument(
            "--variants",
            type=int,
            default=VARIANTS,
            choices=range(1, len(exif.CAMERAS) + 1),
            metavar=f"1-{len(exif.CAMERAS)}",
            help=f"distinct JPEGs the uploads go round (default {VARIANTS})",
        )
        parser.add_argument(
            "--upload-threads",
            type=int,
            default=UPLOAD_THREADS,
            help=f"boto3 threads PUTting the uploads (default {UPLOAD_THREADS})",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=TIMEOUT_SECONDS,
            help=f"seconds to wait for Refract's derivatives before failing (default {TIMEOUT_SECONDS})",
        )

    options, binary = images.section_options(__doc__.splitlines()[0], None, add_options)
    return images.run_standalone(
        "pipelines",
        lambda folder, processes: run(
            binary, folder, processes, options.uploads, options.variants, options.upload_threads, options.timeout
        ),
        lambda results: report(results, binary),
        options.output,
    )


if __name__ == "__main__":
    sys.exit(main())
