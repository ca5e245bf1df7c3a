"""The translation service behind `translate` in the e2e tests: Tests/translate_fake/fake_translate_server.py (one
process speaking LibreTranslate and DeepL v2, with faults on demand and a request log), a gateway configured with it
under `transforms.translate` (SPEC §3), and what a translated text must look like given the fake's deterministic
"translation" (text: "⟦" + upper-cased + "⟧"; HTML: the text between tags upper-cased, nothing added)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from gateway_config import write_gateway_config
from refract_process import RefractProcess

FAKE_SCRIPT = Path(__file__).resolve().parents[1] / "translate_fake" / "fake_translate_server.py"
OPEN, CLOSE = "\u27e6", "\u27e7"
START_TIMEOUT = 30
CONTROL_TIMEOUT = 30


def load_fake_module():
    """The fake server's own module, for its HTML "translation" (the expected answer is computed, not copied)."""
    spec = importlib.util.spec_from_file_location("fake_translate_server", FAKE_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_module = load_fake_module()


class FakeTranslateServer:
    """The fake on an ephemeral loopback port, with its control endpoints."""

    def __init__(
        self, log_path: Path, *, libre_key: str | None = None, deepl_key: str | None = None, delay_ms: int = 0
    ):
        args = [sys.executable, str(FAKE_SCRIPT), "--port", "0", "--delay-ms", str(delay_ms)]
        if libre_key is not None:
            args += ["--libre-key", libre_key]
        if deepl_key is not None:
            args += ["--deepl-key", deepl_key]
        self._log = open(log_path, "wb")  # noqa: SIM115 - the server writes its errors to it until stop()
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        try:
            self.port = int(self._first_line())
        except BaseException:
            self.stop()
            raise

    def _first_line(self) -> str:
        """The port line; a server that dies or stays silent fails the set-up instead of hanging it."""
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not result or not result[0].strip():
            raise RuntimeError(f"the fake translation server printed no port (exit status {self.process.poll()})")
        return result[0].strip()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT) as response:
            return json.loads(response.read())

    def fault(self, kind: str, **spec) -> None:
        """Queues a fault (`count`, `retry_after`, `delay_ms`, `match`, `on` as the fake takes them)."""
        self._call("POST", "/_fault", {"kind": kind, **spec})

    def set_delay(self, delay_ms: int) -> None:
        self._call("POST", "/_config", {"delay_ms": delay_ms})

    def log(self) -> dict:
        """{"requests": [...], "max_in_flight": N} as the fake's /_requests gives it."""
        return self._call("GET", "/_requests")

    def translate_requests(self) -> list[dict]:
        """The translate POSTs received since the last reset, in the order they ended."""
        return [record for record in self.log()["requests"] if record["method"] == "POST"]

    def reset(self) -> None:
        self._call("POST", "/_reset", {})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


def translate_settings_yaml(settings: dict[str, object]) -> str:
    """`transforms.translate` as a flow mapping (JSON is YAML)."""
    return f"transforms:\n  translate: {json.dumps(settings)}\n"


def start_translate_gateway(directory: Path, **settings: object) -> RefractProcess:
    """A gateway with the e2e configuration (gateway_config.py) plus `transforms.translate: settings`."""
    directory.mkdir(parents=True, exist_ok=True)
    config = write_gateway_config(directory)
    text = config.read_text()
    assert "\ntransforms:" not in text, "the e2e configuration grew a transforms section: merge into it"
    config.write_text(text + translate_settings_yaml(settings))
    return RefractProcess(
        ["--config", str(config), "--host", "127.0.0.1", "--port", "0"],
        cwd=directory,
        log_path=directory / "refract.log",
    )


def without_brackets(text: str) -> str:
    return text.replace(OPEN, "").replace(CLOSE, "")


def bracketed_segments(text: str) -> list[str]:
    """The texts the fake translated, as they come back in the answer (between ⟦ and ⟧)."""
    segments = []
    position = 0
    while (start := text.find(OPEN, position)) != -1:
        end = text.index(CLOSE, start)
        segments.append(text[start + 1 : end])
        position = end + 1
    return segments


def expected_html(markup: str) -> str:
    """What the fake makes of `markup` sent whole in HTML mode."""
    return fake_module.translate_html(markup)
