"""The `translate` transform (SPEC §2, §3 `transforms.translate`, §6; issue 6) through a real gateway, against the
fake translation service (Tests/translate_fake) speaking LibreTranslate and DeepL v2, each provider with its key.

The fake's "translation" is deterministic ("⟦" + the text upper-cased + "⟧"; in HTML mode the text between tags
upper-cased), so the whole answer is checked, not just its status: the source comes back with every translated run
upper-cased and bracketed, the whitespace, code and tags between runs untouched. The fake's request log shows what
reached the service: request sizes against `max_request_bytes`, requests in flight against `concurrency`, retries,
and how many requests had completed when the client got its first bytes."""

from __future__ import annotations

import http.client
import random
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway_config import PUBLIC_BUCKET
from images import upload
from refract_process import RefractProcess
from s3_http import GatewayHTTP, Reply, assert_s3_error, object_path
from translate_service import (
    CLOSE,
    OPEN,
    FakeTranslateServer,
    bracketed_segments,
    expected_html,
    start_translate_gateway,
    without_brackets,
)

LIBRE_KEY = "libre-e2e-key-5f1c0d9a7b"
DEEPL_KEY = "deepl-e2e-key-8e2b44c1a6:fx"
KEYS = {"libretranslate": LIBRE_KEY, "deepl": DEEPL_KEY}
# What each provider's error answers say; the gateway must log it (and never the key).
WRONG_KEY_MESSAGES = {"libretranslate": "Invalid API key", "deepl": "Authorization failure, check auth_key"}
MAX_REQUEST_BYTES = 1024
CONCURRENCY = 3
CURL_TIMEOUT = 60
# curl's exit codes for a transfer cut short: 18 (partial file: the chunked body never ended), 56 (receive failure,
# a reset).
INCOMPLETE_TRANSFER = {18, 56}

WORDS = (
    "the quick brown fox jumps over a lazy dog while river stones gleam under pale morning light and distant "
    "bells ring across quiet valleys where old friends gather to share bread café naïve façade"
).split()


def sentence(generator: random.Random) -> str:
    words = [generator.choice(WORDS) for _ in range(generator.randint(6, 16))]
    return " ".join(words).capitalize() + generator.choice([".", ".", "!", "?"])


def paragraph(generator: random.Random, size: int) -> str:
    """Sentences up to about `size` characters."""
    sentences = [sentence(generator)]
    while sum(len(text) + 1 for text in sentences) < size:
        sentences.append(sentence(generator))
    return " ".join(sentences)


# Fixtures


@pytest.fixture(scope="module")
def fake(tmp_path_factory) -> Iterator[FakeTranslateServer]:
    """One fake for the module, requiring each provider's key."""
    server = FakeTranslateServer(
        tmp_path_factory.mktemp("fake-translate") / "fake.log", libre_key=LIBRE_KEY, deepl_key=DEEPL_KEY
    )
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_fake(fake) -> None:
    """Every test starts with the fake's request log and faults empty and its delay at zero."""
    fake.reset()


@dataclass
class TranslateGateway:
    provider: str
    process: RefractProcess
    http: GatewayHTTP

    def translate(self, key: str, data: bytes, content_type: str, step: str = "translate:fr") -> Reply:
        """Uploads `data` as `key` and GETs it through `step`, anonymously (the bucket is public)."""
        path = upload(self.http, key, data, content_type)
        return self.http.get(f"{path}!{step}")


def start(directory: Path, fake: FakeTranslateServer, provider: str, **settings: object) -> TranslateGateway:
    settings = {
        "provider": provider,
        "url": fake.url,
        "api_key": KEYS[provider],
        "max_request_bytes": MAX_REQUEST_BYTES,
        "concurrency": CONCURRENCY,
        "timeout": "10s",
        **settings,
    }
    process = start_translate_gateway(directory, **settings)
    return TranslateGateway(provider, process, GatewayHTTP(process.host, process.port))


@pytest.fixture(scope="module", params=list(KEYS))
def service(request, fake, tmp_path_factory) -> Iterator[TranslateGateway]:
    """A gateway per provider, configured with the fake and the provider's right key."""
    gateway = start(tmp_path_factory.mktemp(f"translate-{request.param}"), fake, request.param)
    yield gateway
    status = gateway.process.stop()
    log = gateway.process.log_text()
    assert status == 0, f"refract exited with {status} after SIGTERM:\n{log[-4000:]}"
    assert KEYS[gateway.provider] not in log, "the API key leaked into the gateway's log"


@pytest.fixture
def own_translate_gateway(fake, tmp_path) -> Iterator[Callable[..., TranslateGateway]]:
    """Starts private gateways with other settings; killed afterwards."""
    started: list[RefractProcess] = []

    def make(provider: str, **settings: object) -> TranslateGateway:
        gateway = start(tmp_path / f"gateway-{len(started)}", fake, provider, **settings)
        started.append(gateway.process)
        return gateway

    yield make
    for process in started:
        process.kill()


def translated_text(reply: Reply, media_type: str = "text/plain", language: str = "fr") -> str:
    """The body of a successful translation, after checking the headers SPEC §2 gives it."""
    assert reply.status == 200, f"{reply.status}: {reply.body[:500]!r}"
    assert (reply.header("Content-Type") or "").replace(" ", "").lower() == f"{media_type};charset=utf-8"
    assert reply.header("Content-Language") == language
    assert reply.header("ETag"), "a transformed object has a strong ETag"
    assert reply.request_id
    return reply.body.decode("utf-8")


def assert_plain_translation(source: str, answer: str) -> None:
    """`answer` is `source` with each run bracketed and upper-cased, nothing else changed, and no run crossing a
    paragraph break."""
    assert OPEN in answer, f"nothing was translated: {answer[:300]!r}"
    assert without_brackets(answer) == source.upper(), "the text between the translated runs changed"
    for segment in bracketed_segments(answer):
        assert segment == segment.upper()
        assert "\n\n" not in segment and "\r\n\r\n" not in segment, f"a request crossed a paragraph: {segment!r}"
        assert segment == segment.strip(), f"whitespace around a run was sent to the service: {segment!r}"


# One object, each content type


def test_plain_text_is_translated(service, fake, key_prefix):
    source = (
        "Hello world. This is the first paragraph, with a café and naïve façade.\n\n"
        "  Indented second paragraph 😀 with an emoji.\r\n\r\n"
        "Third paragraph\non two lines.\n\n\n"
        "Last one, no newline at the end"
    )
    reply = service.translate(f"{key_prefix}doc.txt", source.encode(), "text/plain")
    answer = translated_text(reply)
    assert_plain_translation(source, answer)
    assert answer.startswith(f"{OPEN}HELLO WORLD.")
    assert answer.endswith(f"{OPEN}LAST ONE, NO NEWLINE AT THE END{CLOSE}")

    requests = fake.translate_requests()
    assert requests and all(record["status"] == 200 for record in requests)
    if service.provider == "libretranslate":
        assert {(record["path"], record["target"], record["source"], record["format"]) for record in requests} == {
            ("/translate", "fr", "auto", "text")
        }
    else:
        assert {(record["path"], record["target"], record["source"], record["format"]) for record in requests} == {
            ("/v2/translate", "FR", None, None)
        }


def test_language_code_in_any_case_answers_the_conventional_one(service, fake, key_prefix):
    """`pt-br` is the service's pt-BR (LibreTranslate) or PT-BR (DeepL); Content-Language says pt-BR either way."""
    reply = service.translate(f"{key_prefix}doc.txt", b"Good morning.", "text/plain", step="translate:to=pt-br")
    assert translated_text(reply, language="pt-BR") == f"{OPEN}GOOD MORNING.{CLOSE}"
    targets = {record["target"] for record in fake.translate_requests()}
    assert targets == ({"pt-BR"} if service.provider == "libretranslate" else {"PT-BR"})


def test_markdown_keeps_code_untranslated(service, key_prefix):
    fence = "```swift\nlet greeting = \"hello world\"\nprint(greeting) // the quick fox\n```\n"
    tilde_fence = "~~~\nplain code block stays lower case\n\nEven after a blank line.\n~~~\n"
    source = (
        "# A title\n\n"
        "Some prose with `inline_code()` in it and more words.\n\n"
        + fence
        + "\n- first item of a list\n- second item\n\n"
        + tilde_fence
        + "\n> A quoted line.\n\nClosing paragraph.\n"
    )
    reply = service.translate(f"{key_prefix}doc.md", source.encode(), "text/markdown")
    answer = translated_text(reply, "text/markdown")
    assert fence in answer and tilde_fence in answer, f"a fenced code block changed:\n{answer}"
    assert "`inline_code()`" in answer, f"inline code changed:\n{answer}"
    for segment in bracketed_segments(answer):
        assert "greeting" not in segment.lower() and "plain code block" not in segment.lower()
        assert "inline_code" not in segment.lower()
    assert without_brackets(answer).lower() == source.lower(), "text outside the translated runs changed"
    for prose in ("A TITLE", "SOME PROSE WITH", "FIRST ITEM OF A LIST", "A QUOTED LINE.", "CLOSING PARAGRAPH."):
        assert prose in answer, f"{prose!r} was not translated:\n{answer}"
    assert answer.startswith("# "), "the heading marker is kept as it is"


def test_html_keeps_tags(service, fake, key_prefix):
    body = (
        "<!DOCTYPE html>\n<html>\n<body>\n"
        '<h1 class="title">Welcome home</h1>\n'
        "<!-- a comment that stays as it is -->\n"
        '<p>Some <b>bold</b> text with a <a href="/x?a=1&amp;b=2" title="a > b">link</a> &amp; more.</p>\n'
        "<ul><li>first item</li><li>second item</li></ul>\n"
    )
    script = '<script>var lower = "never translated";</script>\n'
    tail = "<p>Last words.</p>\n</body>\n</html>\n"
    reply = service.translate(f"{key_prefix}page.html", (body + script + tail).encode(), "text/html")
    answer = translated_text(reply, "text/html")
    assert answer == expected_html(body) + script + expected_html(tail)

    # LibreTranslate's format, DeepL's tag_handling: the service's HTML mode.
    assert {record["format"] for record in fake.translate_requests()} == {"html"}


def test_charset_from_content_type_is_decoded(service, key_prefix):
    source = "Crème brûlée à la française. Ça coûte 5 €? Non: 5 ¤."
    data = source.replace("€", "EUR").encode("iso-8859-1")
    reply = service.translate(f"{key_prefix}latin1.txt", data, "text/plain; charset=iso-8859-1")
    assert translated_text(reply) == OPEN + source.replace("€", "EUR").upper() + CLOSE


def test_non_utf8_without_charset_is_unprocessable(service, fake, key_prefix):
    data = "Crème brûlée, naïve café.\n\nSecond paragraph.".encode("iso-8859-1")
    reply = service.translate(f"{key_prefix}latin1.txt", data, "text/plain")
    assert_s3_error(reply, 422, "UnprocessableSource")
    assert fake.translate_requests() == [], "text that cannot be decoded is never sent"


def test_empty_text_is_an_empty_translation(service, fake, key_prefix):
    reply = service.translate(f"{key_prefix}empty.txt", b"", "text/plain")
    assert translated_text(reply) == ""
    assert fake.translate_requests() == []


def test_unknown_language_is_invalid_transform(service, fake, key_prefix):
    path = upload(service.http, f"{key_prefix}doc.txt", b"Hello.", "text/plain")
    for step in ("translate:xx", "translate:to=fr,from=qq", "translate:fr_FR", "translate"):
        error = assert_s3_error(service.http.get(f"{path}!{step}"), 400, "InvalidTransform")
        assert error.resource == f"{path}!{step}"
    assert fake.translate_requests() == [], "nothing is sent for a language the service does not have"


def test_type_it_does_not_take_is_unsupported(service, key_prefix):
    reply = service.translate(f"{key_prefix}data.json", b'{"text": "hello"}', "application/json")
    assert_s3_error(reply, 415, "UnsupportedMediaType")


# Failures of the service


@pytest.mark.parametrize("provider", list(KEYS))
def test_wrong_api_key_is_transform_failed(own_translate_gateway, fake, key_prefix, provider):
    wrong_key = f"wrong-{provider}-key-3c9d0e7f21"
    gateway = own_translate_gateway(provider, api_key=wrong_key)
    reply = gateway.translate(f"{key_prefix}doc.txt", b"Hello there.", "text/plain")
    error = assert_s3_error(reply, 502, "TransformFailed")
    assert wrong_key not in reply.body.decode(errors="replace")
    assert error.resource == object_path(PUBLIC_BUCKET, f"{key_prefix}doc.txt") + "!translate:fr"
    # A refused key is not tried again. DeepL refuses it at the language list already (the fake logs no status for
    # those); LibreTranslate's list needs no key, its translate request is refused.
    requests = [(record["method"], record["status"]) for record in fake.log()["requests"]]
    assert requests == ([("GET", None), ("POST", 403)] if provider == "libretranslate" else [("GET", None)])
    log = gateway.process.log_text()
    assert WRONG_KEY_MESSAGES[provider] in log, f"the service's message is not in the log:\n{log[-3000:]}"
    assert wrong_key not in log, "the API key leaked into the gateway's log"


def test_rate_limit_with_retry_after_is_retried(service, fake, key_prefix):
    fake.fault("429", count=1, retry_after=1)
    reply = service.translate(f"{key_prefix}doc.txt", b"Patience is a virtue.", "text/plain")
    assert translated_text(reply) == f"{OPEN}PATIENCE IS A VIRTUE.{CLOSE}"
    limited, retried = fake.translate_requests()
    assert (limited["status"], limited["fault"], retried["status"]) == (429, "429", 200)
    # Retry-After: 1 is a floor on the wait (the fake's clock times both).
    assert retried["start_ms"] - limited["end_ms"] >= 900, (limited, retried)


def test_failure_after_the_first_byte_aborts_the_response(service, fake, key_prefix, tmp_path):
    generator = random.Random(6)
    paragraphs = [paragraph(generator, 600) for _ in range(10)]
    paragraphs[7] = "Poisoned paragraph marker. " + paragraphs[7]
    source = "\n\n".join(paragraphs)
    path = upload(service.http, f"{key_prefix}doc.txt", source.encode(), "text/plain")
    fake.fault("500", count=1000, match="Poisoned paragraph marker")

    output = tmp_path / "body"
    completed = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            str(CURL_TIMEOUT),
            "--output",
            str(output),
            "--write-out",
            "%{http_code}",
            service.process.url + path + "!translate:fr",
        ],
        capture_output=True,
        text=True,
        timeout=CURL_TIMEOUT + 10,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode in INCOMPLETE_TRANSFER, (
        f"curl exited {completed.returncode} ({completed.stderr.strip()}): the client must see an incomplete response"
    )
    assert completed.stdout == "200", "the failure came after the answer started"
    received = output.read_bytes().decode("utf-8", errors="replace")
    assert received.startswith(OPEN + paragraphs[0][:40].upper()), "the first bytes arrived before the failure"
    assert "POISONED PARAGRAPH MARKER" not in received
    assert paragraphs[-1][:40].upper() not in received

    failed = [record for record in fake.translate_requests() if record["fault"] == "500"]
    assert len(failed) >= 2, "a 500 is tried again before giving up"
    assert service.http.get("/_refract/health").status == 200


# Long texts: request sizes, concurrency, streaming


def long_text() -> tuple[str, str]:
    """About 40 KB: paragraphs of every size, one of 6 KB that must be cut at sentences, a 5 KB run of emoji
    (ZWJ sequences, no spaces) that can only be cut between them, CJK text, CRLF lines. Also returns the emoji."""
    generator = random.Random(42)
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 25 bytes, one grapheme cluster
    parts = [paragraph(generator, generator.randint(40, 900)) for _ in range(30)]
    parts.insert(5, paragraph(generator, 6000))
    parts.insert(12, family * 200)
    parts.insert(20, "日本語のテキストです。" * 60)
    parts.insert(25, "\r\n".join(paragraph(generator, 120) for _ in range(8)))
    return "\n\n".join(parts) + "\n", family


def test_long_text_is_cut_into_requests_within_the_limits(service, fake, key_prefix):
    source, family = long_text()
    fake.set_delay(30)
    reply = service.translate(f"{key_prefix}long.txt", source.encode(), "text/plain")
    answer = translated_text(reply)
    assert_plain_translation(source, answer)
    for segment in bracketed_segments(answer):
        if family[0] in segment:
            assert segment == family * (len(segment) // len(family)), "an emoji sequence was cut"

    log = fake.log()
    requests = [record for record in log["requests"] if record["method"] == "POST"]
    assert len(requests) >= len(source.encode()) // MAX_REQUEST_BYTES, "the text went in fewer requests than fit"
    assert all(record["status"] == 200 for record in requests)
    assert max(record["bytes"] for record in requests) <= MAX_REQUEST_BYTES
    assert 2 <= log["max_in_flight"] <= CONCURRENCY, log["max_in_flight"]


@pytest.mark.parametrize("provider", list(KEYS))
def test_first_bytes_arrive_while_requests_are_pending(own_translate_gateway, fake, key_prefix, provider):
    """With one request at a time and a slow service, the client reads the first translated bytes while most of the
    text has not been translated yet: the fake has answered only a few of the requests by then."""
    gateway = own_translate_gateway(provider, concurrency=1, max_request_bytes=512)
    generator = random.Random(9)
    source = "\n\n".join(paragraph(generator, 380) for _ in range(8))
    path = upload(gateway.http, f"{key_prefix}doc.txt", source.encode(), "text/plain")
    fake.set_delay(150)

    connection = http.client.HTTPConnection(gateway.process.host, gateway.process.port, timeout=CURL_TIMEOUT)
    try:
        connection.request("GET", f"{path}!translate:fr")
        response = connection.getresponse()
        assert response.status == 200
        first = response.read(1)
        done_at_first_byte = len(fake.translate_requests())
        rest = response.read()
    finally:
        connection.close()
    assert first == OPEN.encode()[:1]
    assert_plain_translation(source, (first + rest).decode("utf-8"))

    log = fake.log()
    total = len([record for record in log["requests"] if record["method"] == "POST"])
    assert total >= 6, f"the text should need several requests, took {total}"
    assert done_at_first_byte < total, "the first bytes came only once every request was done"
    assert done_at_first_byte <= total // 2, (done_at_first_byte, total)
    assert log["max_in_flight"] == 1
