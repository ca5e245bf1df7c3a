#!/usr/bin/env python3
"""EXIF extraction: Refract's `exif` transform against exiftool, on a folder of large JPEGs.

Eight JPEGs of more than 10 MB each, made at run time and given camera EXIF (with GPS and a thumbnail) by exiftool,
are described by Refract (`GET /bench/NAME.jpg!exif`, driven by wrk at each concurrency, the requests going round the
files) and by exiftool: one process per file, and one process for the whole folder (batch mode). For each, files/s,
CPU time per file and the bytes read per file (/proc/PID/io `rchar`: the gateway's during the timed run; exiftool's,
Perl's start-up included, from the benchmark's own counter, which takes in its children once they are reaped).
`bench/run` (`make bench`) calls `run` and `report` and writes the section into BENCHMARKS.md; run alone, this file
prints it (or writes it with --output). Refract's answer is checked against exiftool's, tag by tag, before it is
timed, so a wrong answer never gives a number.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import images  # bench/images.py: the helpers the image section and this one share

plain = images.plain
BUCKET = "bench"
FOLDER = "photos"
FILE_COUNT = 8
MIN_FILE_BYTES = 10 * 1000 * 1000
SOURCE_WIDTH, SOURCE_HEIGHT = 4000, 3000
CONCURRENCIES = (2, 8)
WARM_UP_SECONDS = 2
EXIFTOOL = "/usr/bin/exiftool"
EXIF_GROUPS = ("IFD0", "ExifIFD", "GPS", "InteropIFD", "IFD1")
NOT_MEASURED = "not measured"
UNKNOWN_TAG = re.compile(r"Tag0x[0-9A-F]{4}")  # exiftool leaves unknown tags out of its JSON; Refract names them
DEFAULT_HEAD_BYTES = 256 * 1024  # transforms.exif.head_bytes, left at its default

# Camera settings, one line per file: Make, Model, exposure, f-number, ISO, focal length, latitude, longitude, altitude.
CAMERAS = [
    ("Canon", "EOS R5", "1/250", 2.8, 100, 35, "48.858222 N", "2.2945 E", 35),
    ("NIKON CORPORATION", "NIKON Z 8", "1/60", 1.8, 3200, 50, "33.856784 S", "151.215297 E", 4),
    ("SONY", "ILCE-7M4", "1/1000", 4, 200, 85, "40.689247 N", "74.044502 W", 10),
    ("FUJIFILM", "X-T5", "1/8000", 1.4, 160, 23, "22.9519 S", "43.2105 W", 700),
    ("Apple", "iPhone 15 Pro", "1/120", 1.78, 64, 6.86, "64.1466 N", "21.9426 W", -2),
    ("Panasonic", "DC-S5M2", "1/30", 5.6, 1600, 24, "1.2839 S", "36.8219 E", 1795),
    ("OLYMPUS", "OM-1", "1/500", 8, 400, 12, "31.7683 N", "35.2137 E", 754),
    ("Leica Camera AG", "LEICA Q3", "1/2000", 11, 100, 28, "34.6037 S", "58.3816 W", 25),
]


@dataclass(frozen=True)
class Result:
    files_per_second: float
    cpu_seconds_per_file: float
    bytes_read_per_file: float
    files: int
    p50_seconds: float | None = None
    p99_seconds: float | None = None
    errors: str = ""


@dataclass
class ExifResults:
    file_sizes: list[int]
    exif_bytes: int  # the APP1 segment of one file: what a reader of the metadata needs at least
    duration: int
    threads: int
    exiftool_rounds: int
    load_average: float  # the 1-minute load average when the section started: other work skews every figure
    rows: dict[str, Result | str] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """Why a reader could not be measured (its row says so too); not for one deliberately left out."""
        return [
            f"{name}: {outcome}"
            for name, outcome in self.rows.items()
            if isinstance(outcome, str) and outcome != NOT_MEASURED
        ]


# The photos.


def make_photos(folder: Path) -> list[Path]:
    """FILE_COUNT JPEGs of one 4000x3000 grainy plasma at quality 95 (more than 10 MB), each with its camera's EXIF,
    GPS and a 160x120 thumbnail, as cameras write them: the EXIF first, then the picture."""
    folder.mkdir(parents=True)
    base = folder / "base.jpg"
    recipe = f"-seed 2 -size {SOURCE_WIDTH}x{SOURCE_HEIGHT} plasma:fractal -attenuate 1.0 +noise Gaussian -quality 95"
    subprocess.run([images.CONVERT, *recipe.split(), str(base)], check=True, capture_output=True)
    thumbnail = folder / "thumbnail.jpg"
    subprocess.run(
        [images.CONVERT, str(base), "-thumbnail", "160x120", str(thumbnail)], check=True, capture_output=True
    )
    photos = []
    for index, (make, model, exposure, fnumber, iso, focal, latitude, longitude, altitude) in enumerate(CAMERAS):
        photo = folder / f"IMG_{index + 1:04d}.jpg"
        photo.write_bytes(base.read_bytes())
        (lat, lat_ref), (lon, lon_ref) = latitude.split(), longitude.split()
        assignments = [
            f"-Make={make}", f"-Model={model}", f"-DateTimeOriginal=2024:0{index + 1}:1{index} 1{index}:2{index}:00",
            "-Orientation=1", f"-ExposureTime={exposure}", f"-FNumber={fnumber}", f"-ISO={iso}",
            f"-FocalLength={focal}", "-LensModel=Bench Lens", "-Software=refract bench", "-Artist=Refract",
            f"-GPSLatitude={lat}", f"-GPSLatitudeRef={lat_ref}", f"-GPSLongitude={lon}", f"-GPSLongitudeRef={lon_ref}",
            f"-GPSAltitude={abs(altitude)}", f"-GPSAltitudeRef={1 if altitude < 0 else 0}",
            f"-ThumbnailImage<={thumbnail}", "-n",
        ]  # fmt: skip
        subprocess.run([EXIFTOOL, "-q", "-overwrite_original", *assignments, str(photo)], check=True)
        if photo.stat().st_size < MIN_FILE_BYTES:
            raise RuntimeError(f"{photo.name} is only {photo.stat().st_size} bytes")
        photos.append(photo)
    base.unlink()
    thumbnail.unlink()
    return photos


def app1_bytes(photo: Path) -> int:
    """The length of the first APP1 (Exif) segment, marker included."""
    data = photo.read_bytes()[: 1 << 20]
    offset = 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        length = int.from_bytes(data[offset + 2 : offset + 4], "big")
        if data[offset + 1] == 0xE1:
            return length + 2
        offset += 2 + length
    raise RuntimeError(f"{photo} has no APP1 segment")


def exiftool_descriptions(photos: list[Path]) -> dict[str, dict[str, object]]:
    completed = subprocess.run(
        [EXIFTOOL, "-json", "-a", "-G1", "-n", *map(str, photos)], capture_output=True, text=True, check=True
    )
    return {Path(entry["SourceFile"]).name: entry for entry in json.loads(completed.stdout)}


# Counters.


def own_read_bytes() -> int:
    """This process's rchar, which takes in its children's once they have been reaped."""
    return read_bytes("self")


def read_bytes(pid: int | str) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError(f"no rchar in /proc/{pid}/io")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Refract.


def start_refract(binary: Path, storage: Path, folder: Path, processes) -> tuple[str, int]:
    folder.mkdir()
    url, process = images.serve_folder(binary, storage, folder, processes, bucket=BUCKET)
    return url, process.pid


def check_refract(url: str, photos: list[Path], described: dict[str, dict[str, object]]) -> None:
    """Every file's answer must be exiftool's tags, size and position."""
    for photo in photos:
        with urllib.request.urlopen(f"{url}/{BUCKET}/{FOLDER}/{photo.name}!exif", timeout=60) as response:
            answer = json.loads(response.read())
        theirs = described[photo.name]
        ours = {
            f"{group}:{name}": value
            for group, tags in answer["exif"].items()
            for name, value in tags.items()
            if not UNKNOWN_TAG.fullmatch(name)
        }
        expected = {key: value for key, value in theirs.items() if key.split(":")[0] in EXIF_GROUPS}
        if ours != expected:
            wrong = sorted(key for key in set(ours) | set(expected) if ours.get(key) != expected.get(key))
            raise RuntimeError(f"{photo.name}!exif differs from exiftool in {', '.join(wrong[:5])}")
        size = (answer["width"], answer["height"])
        if size != (SOURCE_WIDTH, SOURCE_HEIGHT):
            raise RuntimeError(f"{photo.name}!exif gives {size[0]}x{size[1]}")
        position = [answer["gps"][name] for name in ("latitude", "longitude", "altitude")]
        if position != [theirs.get(f"Composite:GPS{name}") for name in ("Latitude", "Longitude", "Altitude")]:
            raise RuntimeError(f"{photo.name}!exif gives the position {position}")


WRK_SCRIPT = """
local paths = {%s}
local next_path = 0
request = function()
    next_path = next_path %% #paths + 1
    return wrk.format("GET", paths[next_path])
end
"""


def run_wrk(
    url: str, script: Path, connections: int, duration: int, threads: int
) -> tuple[float, float, float, int, str]:
    threads = min(threads, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency"]
    output = subprocess.run(
        [*args, "-s", str(script), url], capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    return images.parse_wrk(output)


def measure_refract(url: str, pid: int, script: Path, connections: int, duration: int, threads: int) -> Result:
    run_wrk(url, script, connections, WARM_UP_SECONDS, threads)
    read_before, cpu_before = read_bytes(pid), images.cpu_seconds(pid)
    requests_per_second, p50, p99, requests, errors = run_wrk(url, script, connections, duration, threads)
    read_after, cpu_after = read_bytes(pid), images.cpu_seconds(pid)
    result = Result(
        files_per_second=requests_per_second,
        cpu_seconds_per_file=(cpu_after - cpu_before) / requests,
        bytes_read_per_file=(read_after - read_before) / requests,
        files=requests,
        p50_seconds=p50,
        p99_seconds=p99,
        errors=errors,
    )
    print(
        f"  Refract -c {connections}: {requests_per_second:.0f} req/s, p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms,"
        f" {result.bytes_read_per_file / 1024:.0f} KiB read per request" + (f", {errors}" if errors else ""),
        flush=True,
    )
    return result


# exiftool.


def check_exiftool_output(output: str, names: list[str]) -> None:
    described = {Path(entry["SourceFile"]).name: entry for entry in json.loads(output)}
    missing = [name for name in names if "Make" not in described.get(name, {})]
    if missing:
        raise RuntimeError(f"exiftool gave no Make for {', '.join(missing)}")


def timed_exiftool(commands: list[list[str]], parallel: int, names_per_command: list[list[str]]) -> Result:
    """Runs each command (`parallel` at a time); files/s, CPU and bytes read over all of them."""

    def run_one(index: int) -> None:
        completed = subprocess.run(commands[index], capture_output=True, text=True, check=True)
        check_exiftool_output(completed.stdout, names_per_command[index])

    read_before, cpu_before = own_read_bytes(), children_cpu_seconds()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(run_one, range(len(commands))))
    elapsed = time.perf_counter() - started
    files = sum(len(names) for names in names_per_command)
    return Result(
        files_per_second=files / elapsed,
        cpu_seconds_per_file=(children_cpu_seconds() - cpu_before) / files,
        bytes_read_per_file=(own_read_bytes() - read_before) / files,
        files=files,
    )


def measure_exiftool(photos: list[Path], rounds: int) -> dict[str, Result]:
    names = [photo.name for photo in photos]
    per_file = [[EXIFTOOL, "-json", str(photo)] for photo in photos] * rounds
    per_file_names = [[photo.name] for photo in photos] * rounds
    folder = str(photos[0].parent)
    batch = [[EXIFTOOL, "-json", folder]] * rounds
    one_batch = [[EXIFTOOL, "-json", *[folder] * rounds]]
    cores = os.cpu_count() or 1
    timed_exiftool(per_file[: len(photos)], 1, per_file_names[: len(photos)])  # warm the page cache and Perl's files
    results = {
        "exiftool, one process per file": timed_exiftool(per_file, 1, per_file_names),
        f"exiftool, one process per file, {cores} at a time": timed_exiftool(per_file, cores, per_file_names),
        "exiftool batch (`exiftool -json DIR`)": timed_exiftool(batch, 1, [names] * rounds),
        f"exiftool batch, {rounds} passes in one process": timed_exiftool(one_batch, 1, [names * rounds]),
    }
    for name, result in results.items():
        print(
            f"  {name}: {result.files_per_second:.1f} files/s,"
            f" {result.bytes_read_per_file / 1024:.0f} KiB read per file",
            flush=True,
        )
    return results


def run(
    binary: Path | None, work: Path, processes, duration: int = 10, threads: int = 2, exiftool_rounds: int = 5
) -> ExifResults:
    """Measures Refract and exiftool in `work` (a fresh folder); `binary` None leaves Refract out."""
    storage = work / "storage"
    photos = make_photos(storage / BUCKET / FOLDER)
    described = exiftool_descriptions(photos)
    results = ExifResults(
        file_sizes=[photo.stat().st_size for photo in photos],
        exif_bytes=app1_bytes(photos[0]),
        duration=duration,
        threads=threads,
        exiftool_rounds=exiftool_rounds,
        load_average=os.getloadavg()[0],
    )
    for connections in CONCURRENCIES:
        results.rows[f"Refract, {connections} connections"] = NOT_MEASURED
    if binary is not None:
        print("Refract exif", flush=True)
        script = work / "paths.lua"
        paths = ", ".join(f'"/{BUCKET}/{FOLDER}/{photo.name}!exif"' for photo in photos)
        script.write_text(WRK_SCRIPT % paths)
        try:
            url, pid = start_refract(binary, storage, work / "refract", processes)
            check_refract(url, photos, described)
            for connections in CONCURRENCIES:
                results.rows[f"Refract, {connections} connections"] = measure_refract(
                    url, pid, script, connections, duration, threads
                )
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            outcome = f"failed: {str(error).strip().splitlines()[0].rstrip(':')}"
            print(f"  Refract: {outcome}", flush=True)
            for connections in CONCURRENCIES:
                if results.rows[f"Refract, {connections} connections"] == NOT_MEASURED:
                    results.rows[f"Refract, {connections} connections"] = outcome
        finally:
            processes.stop_all()
    print("exiftool", flush=True)
    results.rows.update(measure_exiftool(photos, exiftool_rounds))
    return results


# Report.


def report(results: ExifResults, binary: Path | None) -> str:
    refract_build = "not measured" if binary is None else "release build" if "/release/" in str(binary) else binary
    sizes = results.file_sizes
    average = sum(sizes) / len(sizes)
    smallest, largest = f"{min(sizes) / 1e6:.1f}", f"{max(sizes) / 1e6:.1f}"
    size_range = smallest if smallest == largest else f"{smallest}–{largest}"
    lines = [
        f"## EXIF extraction: {len(sizes)} JPEGs of {size_range} MB",
        "",
        f"{len(sizes)} {SOURCE_WIDTH}x{SOURCE_HEIGHT} JPEGs made at run time (a grainy plasma at quality 95 by"
        f" ImageMagick), each given a camera's EXIF by exiftool: Make, Model, exposure, GPS, a 160x120 thumbnail"
        f" ({results.exif_bytes / 1e3:.1f} kB APP1 segment at the start of the file). Read for their EXIF, over and"
        " over, from the page cache.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- Refract ({refract_build}): `GET /{BUCKET}/{FOLDER}/IMG_000N.jpg!exif`, going round the files, driven by"
        f" wrk ({results.threads} threads at most, keep-alive, --latency) for {results.duration} s after a"
        f" {WARM_UP_SECONDS} s warm-up at each concurrency; filesystem store, access log off, the default"
        f" `transforms.exif.head_bytes` ({DEFAULT_HEAD_BYTES // 1024} KiB). Its answers are checked against"
        " `exiftool -json -n`, tag by tag, first.",
        "- exiftool: `exiftool -json FILE`, one process per file, one at a time and one per core at a time; and"
        f" batch mode, `exiftool -json DIR` over the folder, one process for all {len(sizes)}, and"
        f" `exiftool -json DIR DIR ...` ({results.exiftool_rounds} times), one process for"
        f" {results.exiftool_rounds} passes, which shows its cost once started. Each timed over"
        f" {results.exiftool_rounds} passes over the folder, after an untimed one.",
        "- Bytes read per file: /proc/PID/io `rchar` (every read(2)/pread(2), page cache or not) of the gateway"
        " during the timed run divided by the responses (request headers, about 100 bytes each, included); of"
        " exiftool's processes (Perl reading exiftool's modules at start-up included) divided by the files."
        f" For scale: a file is {average / 1e6:.1f} MB on average. Refract's figure is its head read: the whole"
        " head is read even when the EXIF ends sooner; a smaller `head_bytes` reads less.",
        "- CPU/file: CPU time of the gateway during the timed run, or of the exiftool processes, per file.",
        f"- Machine: {os.cpu_count()} cores, shared by wrk and the gateway; 1-minute load average"
        f" {results.load_average:.2f} when this section started; exiftool"
        f" {images.tool_version([EXIFTOOL, '-ver'])}; {images.tool_version(['wrk', '-v'])}.",
        "",
        "| reader | files/s | p50 latency | p99 latency | CPU/file | bytes read per file | Refract (2 connections)"
        " ÷ this |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    mine = results.rows.get(f"Refract, {CONCURRENCIES[0]} connections")
    errors = []
    for name, result in results.rows.items():
        if isinstance(result, str):
            lines.append(f"| {name} | {result} | | | | | |")
            continue
        latency = [
            "" if value is None else plain.format_latency(value) for value in (result.p50_seconds, result.p99_seconds)
        ]
        ratio = (
            f"{mine.files_per_second / result.files_per_second:.1f}x"
            if isinstance(mine, Result) and not name.startswith("Refract") and result.files_per_second
            else ""
        )
        lines.append(
            f"| {name} | {result.files_per_second:,.1f} | {latency[0]} | {latency[1]} |"
            f" {result.cpu_seconds_per_file * 1e3:.2f} ms | {kibibytes(result.bytes_read_per_file)} | {ratio} |"
        )
        if result.errors:
            errors.append(f"{name}: {result.errors}")
    if errors:
        lines += ["", f"wrk reported errors: {'; '.join(errors)}"]
    lines.append("")
    return "\n".join(lines)


def kibibytes(value: float) -> str:
    return f"{value / 1024:,.0f} KiB" if value >= 1024 else f"{value:,.0f} B"


def main() -> int:
    return images.wrk_section_main("exif", __doc__.splitlines()[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
