"""Starting, watching and stopping a real `refract serve` process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LISTENING = re.compile(r"listening on http://(?P<host>\[[^\]]+\]|[^\s:/]+):(?P<port>\d+)")
START_TIMEOUT = 60
STOP_TIMEOUT = 30


def refract_binary() -> Path:
    """The binary under test: $REFRACT_BIN (set by `make test`), else the debug build next to this folder."""
    configured = os.environ.get("REFRACT_BIN")
    binary = Path(configured) if configured else Path(__file__).resolve().parents[2] / ".build/debug/refract"
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"no refract binary at {binary}: run `swift build` or set REFRACT_BIN")
    return binary


class RefractProcess:
    """`refract serve` on an ephemeral port, its output in a log file."""

    def __init__(self, args: list[str], cwd: Path, log_path: Path, env: dict[str, str] | None = None):
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - the process writes to it until stop()
        self.process = subprocess.Popen(
            [str(refract_binary()), "serve", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            self.host, self.port = self._wait_for_listening_line()
            self.wait_until_healthy()
        except BaseException:
            self.kill()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_for_listening_line(self) -> tuple[str, int]:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            match = LISTENING.search(self.log_text())
            if match:
                return match["host"].strip("[]"), int(match["port"])
            if self.process.poll() is not None:
                raise RuntimeError(f"refract serve exited with {self.process.returncode}:\n{self.log_text()}")
            time.sleep(0.05)
        raise RuntimeError(f"refract serve printed no 'listening on' line in {START_TIMEOUT}s:\n{self.log_text()}")

    def wait_until_healthy(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_refract/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError) as error:
                last_error = error
            time.sleep(0.1)
        raise RuntimeError(f"/_refract/health never answered 200: {last_error}\n{self.log_text()}")

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def stop(self) -> int:
        """SIGTERM, then the exit status (a process that does not exit in time is killed and reported)."""
        if self.process.poll() is None:
            self.terminate()
        try:
            return self.wait(STOP_TIMEOUT)
        finally:
            self.kill()

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"refract did not exit within {timeout}s of SIGTERM:\n{self.log_text()}") from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def status_kib(self, field: str) -> int:
        """A memory figure from /proc/PID/status (VmRSS, VmHWM) in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def reset_peak_memory(self) -> None:
        """Sets VmHWM back to the current RSS (Linux: writing 5 to clear_refs), so a later VmHWM is this phase's."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def open_paths(self) -> list[str]:
        """What the process's file descriptors point at."""
        paths = []
        for descriptor in Path(f"/proc/{self.pid}/fd").iterdir():
            try:
                paths.append(os.readlink(descriptor))
            except FileNotFoundError:
                continue
        return paths


def run_refract_expecting_exit(args: list[str], cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    """Runs a refract command that must end by itself (a refused configuration); one that keeps serving fails."""
    process = subprocess.Popen(
        [str(refract_binary()), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(
            f"`refract {' '.join(args)}` was still running after {timeout}s:\n{stdout}{stderr}"
        ) from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
