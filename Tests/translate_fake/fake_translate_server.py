#!/usr/bin/env python3
"""A stand-in for LibreTranslate and DeepL API v2, for Refract's translate tests, e2e tests and `make bench`.

One server speaks both wire protocols on one port:

  LibreTranslate  GET  /languages             [{"code", "name", "targets"}]
                  POST /translate             JSON or form: q (string or array), source ("auto" allowed), target,
                                              format (text | html), api_key
                                              -> {"translatedText": ... [, "detectedLanguage": ...]}
                                              errors: {"error": "..."} with 400, 403, 429, 500
  DeepL v2        GET  /v2/languages?type=source|target
                                              [{"language", "name"[, "supports_formality"]}]
                  POST /v2/translate          header `Authorization: DeepL-Auth-Key KEY`; JSON or form: text (array),
                                              target_lang, source_lang, tag_handling (html | xml)
                                              -> {"translations": [{"detected_source_language", "text"}]}
                                              errors: {"message": "..."} with 400, 403, 413, 429, 456, 500

The translation is deterministic and independent of the languages: in text mode each text becomes
"⟦" + the text with every letter upper-cased + "⟧" (whitespace inside kept as it is); in HTML mode only the text
between tags is upper-cased (tags, comments and character references untouched) and nothing is added.

Test controls (not part of either API):

  POST /_fault    {"kind": "429" | "500" | "503" | "slow" | "drop" | "badkey" | "quota" | "garbage",
                   "count": N (default 1), "retry_after": seconds (429, 503), "delay_ms": ms (slow),
                   "match": "text" (only requests whose texts contain it), "on": "translate" (default) | "languages"}
                  Faults are kept in order; a request takes the first that applies and uses up one of its count.
  POST /_config   {"delay_ms": N}: the delay added to every translate request (also --delay-ms).
  GET  /_requests {"requests": [{"method", "path", "bytes", "texts", "source", "target", "format", "status",
                   "fault", "start_ms", "end_ms"}], "max_in_flight": N}: every translate request (POST) and language
                  list request (GET) that arrived, `bytes` being the size of the request body as received, `status`
                  0 for a dropped connection; `max_in_flight` is the most requests handled at once.
  POST /_reset    forgets requests and faults and restores the delay given on the command line.

Usage: fake_translate_server.py [--host 127.0.0.1] [--port 0] [--delay-ms 0] [--libre-key KEY] [--deepl-key KEY]
Prints the port it listens on as the first line of standard output. Without --libre-key LibreTranslate takes any
api_key or none; without --deepl-key DeepL takes any `DeepL-Auth-Key` header (but needs one).
"""

import argparse
import json
import re
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIBRE_LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("ja", "Japanese"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("zh-Hans", "Chinese"),
]

DEEPL_SOURCE_LANGUAGES = [
    ("DE", "German"),
    ("EN", "English"),
    ("ES", "Spanish"),
    ("FR", "French"),
    ("JA", "Japanese"),
    ("PT", "Portuguese"),
    ("ZH", "Chinese"),
]

DEEPL_TARGET_LANGUAGES = [
    ("DE", "German", True),
    ("EN-GB", "English (British)", False),
    ("EN-US", "English (American)", False),
    ("ES", "Spanish", True),
    ("FR", "French", True),
    ("JA", "Japanese", True),
    ("PT-BR", "Portuguese (Brazilian)", True),
    ("PT-PT", "Portuguese (European)", True),
    ("ZH-HANS", "Chinese (simplified)", False),
]

DEEPL_MAX_BODY_BYTES = 128 * 1024
DEEPL_MAX_TEXTS = 50

# A tag, comment, doctype or processing instruction; quoted attribute values may hold ">".
MARKUP = re.compile(r"<!--.*?-->|<[!?/]?[A-Za-z][^\"'>]*(?:(?:\"[^\"]*\"|'[^']*')[^\"'>]*)*>", re.S)
CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


def translate_text(text):
    return "\u27e6" + text.upper() + "\u27e7"


def translate_html(markup):
    """Upper-cases the text between tags, leaving tags, comments and character references as they are."""
    out = []
    position = 0
    for match in MARKUP.finditer(markup):
        out.append(upper_outside_references(markup[position:match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(upper_outside_references(markup[position:]))
    return "".join(out)


def upper_outside_references(text):
    out = []
    position = 0
    for match in CHARACTER_REFERENCE.finditer(text):
        out.append(text[position:match.start()].upper())
        out.append(match.group(0))
        position = match.end()
    out.append(text[position:].upper())
    return "".join(out)


class Fault:
    def __init__(self, spec):
        self.kind = str(spec.get("kind", ""))
        if self.kind not in ("429", "500", "503", "slow", "drop", "badkey", "quota", "garbage"):
            raise ValueError("unknown fault kind %r" % self.kind)
        self.count = int(spec.get("count", 1))
        self.retry_after = spec.get("retry_after")
        self.delay_ms = int(spec.get("delay_ms", 1000))
        self.match = spec.get("match")
        self.on = spec.get("on", "translate")
        if self.on not in ("translate", "languages"):
            raise ValueError("unknown fault target %r" % self.on)

    def applies(self, endpoint, texts):
        if self.count <= 0 or self.on != endpoint:
            return False
        return self.match is None or any(self.match in text for text in texts)


class State:
    def __init__(self, delay_ms):
        self.lock = threading.Lock()
        self.initial_delay_ms = delay_ms
        self.delay_ms = delay_ms
        self.faults = []
        self.requests = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.started = time.monotonic()

    def now_ms(self):
        return round((time.monotonic() - self.started) * 1000, 3)

    def take_fault(self, endpoint, texts):
        with self.lock:
            for fault in self.faults:
                if fault.applies(endpoint, texts):
                    fault.count -= 1
                    return fault
        return None

    def enter(self):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self, record):
        with self.lock:
            self.in_flight -= 1
            self.requests.append(record)

    def reset(self):
        with self.lock:
            self.delay_ms = self.initial_delay_ms
            self.faults = []
            self.requests = []
            self.max_in_flight = self.in_flight


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle and delayed ACKs add ~40 ms per answer.
    disable_nagle_algorithm = True
    server_version = "FakeTranslate/1"

    # The standard handler logs every request to standard error; the tests read the request log instead.
    def log_message(self, format, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        self.read_body()
        if url.path == "/languages":
            self.logged(self.libre_languages)
        elif url.path == "/v2/languages":
            self.logged(lambda: self.deepl_languages(urllib.parse.parse_qs(url.query)))
        elif url.path == "/_requests":
            with self.state.lock:
                answer = {"requests": list(self.state.requests), "max_in_flight": self.state.max_in_flight}
            self.send_json(200, answer)
        else:
            self.send_json(404, {"error": "Not Found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        if url.path == "/translate":
            self.translate(body, self.libre_translate)
        elif url.path == "/v2/translate":
            self.translate(body, self.deepl_translate)
        elif url.path == "/_fault":
            try:
                fault = Fault(json.loads(body or b"{}"))
            except (ValueError, TypeError, AttributeError) as error:
                self.send_json(400, {"error": str(error)})
                return
            with self.state.lock:
                self.state.faults.append(fault)
            self.send_json(200, {"ok": True})
        elif url.path == "/_config":
            settings = json.loads(body or b"{}")
            with self.state.lock:
                self.state.delay_ms = int(settings.get("delay_ms", self.state.delay_ms))
            self.send_json(200, {"ok": True})
        elif url.path == "/_reset":
            self.state.reset()
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"error": "Not Found"})

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_json(self, status, value, headers=()):
        self.send_bytes(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), headers)

    def send_bytes(self, status, payload, headers=(), content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    # --- request bodies ---

    def parsed_body(self, body, repeated):
        """The fields of a JSON or form-encoded body; form fields named in `repeated` become lists."""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            fields = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            return {name: values if name in repeated else values[-1] for name, values in fields.items()}
        value = json.loads(body.decode("utf-8"))
        if not isinstance(value, dict):
            raise ValueError("not an object")
        return value

    # --- translate, with faults, delay and the request log ---

    def logged(self, answer):
        """Answers a language list request and logs it (its status is not tracked)."""
        record = {"method": "GET", "path": self.path, "bytes": 0, "texts": 0, "source": None, "target": None,
                  "format": None, "status": None, "fault": None, "start_ms": self.state.now_ms()}
        self.state.enter()
        try:
            answer()
        finally:
            record["end_ms"] = self.state.now_ms()
            self.state.leave(record)

    def translate(self, body, provider):
        start = self.state.now_ms()
        self.state.enter()
        record = {"method": "POST", "path": self.path, "bytes": len(body), "texts": 0, "source": None,
                  "target": None, "format": None, "status": None, "fault": None, "start_ms": start}
        try:
            provider(body, record)
        finally:
            record["end_ms"] = self.state.now_ms()
            self.state.leave(record)

    def libre_error(self, status, message, headers=()):
        self.send_json(status, {"error": message}, headers)

    def deepl_error(self, status, message, headers=()):
        self.send_json(status, {"message": message}, headers)

    def languages_fault(self, send_error):
        """Handles a fault due for a language list request; returns True when the request is answered (or dropped)."""
        fault = self.state.take_fault("languages", [])
        if fault is None or fault.kind == "slow":
            time.sleep(fault.delay_ms / 1000 if fault else 0)
            return False
        if fault.kind == "drop":
            self.close_connection = True
        elif fault.kind == "garbage":
            self.send_bytes(200, b"<html>not json</html>", content_type="text/html")
        else:
            send_error(403 if fault.kind in ("badkey", "quota") else int(fault.kind), "Fault injected")
        return True

    def apply_fault_or_delay(self, endpoint, texts, record, errors, send_error):
        """Handles a fault due for this request; returns True when the request is answered (or dropped)."""
        fault = self.state.take_fault(endpoint, texts)
        with self.state.lock:
            delay_ms = self.state.delay_ms if endpoint == "translate" else 0
        if fault is None:
            time.sleep(delay_ms / 1000)
            return False
        record["fault"] = fault.kind
        if fault.kind == "slow":
            time.sleep(fault.delay_ms / 1000)
            return False
        time.sleep(delay_ms / 1000)
        if fault.kind == "drop":
            record["status"] = 0
            self.close_connection = True
            return True
        if fault.kind == "garbage":
            record["status"] = 200
            self.send_bytes(200, b"<html>not json</html>", content_type="text/html")
            return True
        status, message = errors[fault.kind]
        headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
        record["status"] = status
        send_error(status, message, headers)
        return True

    # --- LibreTranslate ---

    def libre_languages(self):
        if self.languages_fault(self.libre_error):
            return
        codes = [code for code, _ in LIBRE_LANGUAGES]
        self.send_json(200, [{"code": code, "name": name, "targets": [c for c in codes if c != code]}
                             for code, name in LIBRE_LANGUAGES])

    def libre_translate(self, body, record):
        try:
            fields = self.parsed_body(body, repeated=())
        except (ValueError, UnicodeDecodeError):
            record["status"] = 400
            self.libre_error(400, "Invalid JSON format")
            return
        q = fields.get("q")
        texts = q if isinstance(q, list) else [q] if isinstance(q, str) else []
        record.update(texts=len(texts), source=fields.get("source"), target=fields.get("target"),
                      format=fields.get("format"))
        required_key = self.server.libre_key
        api_key = fields.get("api_key")
        if required_key is not None and api_key and api_key != required_key:
            record["status"] = 403
            self.libre_error(403, "Invalid API key")
            return
        if required_key is not None and not api_key:
            record["status"] = 400
            self.libre_error(400, "Please contact the server operator to get an API key")
            return
        errors = {
            "429": (429, "Slowdown: 30 per 1 minute"),
            "500": (500, "Cannot translate text: fault injected"),
            "503": (503, "Service Unavailable"),
            "badkey": (403, "Invalid API key"),
            "quota": (403, "Too many request limits violations"),
        }
        if self.apply_fault_or_delay("translate", texts, record, errors, self.libre_error):
            return
        codes = {code for code, _ in LIBRE_LANGUAGES}
        problem = None
        if not q:
            problem = "Invalid request: missing q parameter"
        elif not fields.get("source"):
            problem = "Invalid request: missing source parameter"
        elif not fields.get("target"):
            problem = "Invalid request: missing target parameter"
        elif fields["source"] != "auto" and fields["source"] not in codes:
            problem = "%s is not supported" % fields["source"]
        elif fields["target"] not in codes:
            problem = "%s is not supported" % fields["target"]
        elif (fields.get("format") or "text") not in ("text", "html"):
            problem = "%s format is not supported" % fields["format"]
        elif not all(isinstance(text, str) for text in texts):
            problem = "Invalid request: q must hold strings"
        if problem is not None:
            record["status"] = 400
            self.libre_error(400, problem)
            return
        translate = translate_html if fields.get("format") == "html" else translate_text
        translated = [translate(text) for text in texts]
        answer = {"translatedText": translated if isinstance(q, list) else translated[0]}
        if fields["source"] == "auto":
            detected = {"confidence": 90.0, "language": "en"}
            answer["detectedLanguage"] = [detected] * len(texts) if isinstance(q, list) else detected
        record["status"] = 200
        self.send_json(200, answer)

    # --- DeepL ---

    def deepl_authorized(self):
        header = self.headers.get("Authorization") or ""
        if not header.startswith("DeepL-Auth-Key "):
            return False
        key = header[len("DeepL-Auth-Key "):]
        return key != "" and (self.server.deepl_key is None or key == self.server.deepl_key)

    def deepl_languages(self, query):
        if not self.deepl_authorized():
            self.send_json(403, {"message": "Authorization failure, check auth_key"})
            return
        if self.languages_fault(self.deepl_error):
            return
        kind = (query.get("type") or ["source"])[0]
        if kind == "target":
            self.send_json(200, [{"language": code, "name": name, "supports_formality": formality}
                                 for code, name, formality in DEEPL_TARGET_LANGUAGES])
        elif kind == "source":
            self.send_json(200, [{"language": code, "name": name} for code, name in DEEPL_SOURCE_LANGUAGES])
        else:
            self.send_json(400, {"message": "Value for 'type' not supported."})

    def deepl_translate(self, body, record):
        if not self.deepl_authorized():
            record["status"] = 403
            self.deepl_error(403, "Authorization failure, check auth_key")
            return
        if len(body) > DEEPL_MAX_BODY_BYTES:
            record["status"] = 413
            self.deepl_error(413, "Request Entity Too Large")
            return
        try:
            fields = self.parsed_body(body, repeated=("text",))
        except (ValueError, UnicodeDecodeError):
            record["status"] = 400
            self.deepl_error(400, "Invalid request: expected a JSON object")
            return
        texts = fields.get("text")
        texts = texts if isinstance(texts, list) else []
        record.update(texts=len(texts), source=fields.get("source_lang"), target=fields.get("target_lang"),
                      format=fields.get("tag_handling"))
        errors = {
            "429": (429, "Too many requests"),
            "500": (500, "Internal server error"),
            "503": (503, "Service unavailable"),
            "badkey": (403, "Authorization failure, check auth_key"),
            "quota": (456, "Quota Exceeded"),
        }
        if self.apply_fault_or_delay("translate", texts, record, errors, self.deepl_error):
            return
        targets = {code for code, _, _ in DEEPL_TARGET_LANGUAGES}
        sources = {code for code, _ in DEEPL_SOURCE_LANGUAGES}
        target = str(fields.get("target_lang") or "").upper()
        source = fields.get("source_lang")
        problem = None
        if not texts or not all(isinstance(text, str) for text in texts):
            problem = "Parameter 'text' not specified."
        elif len(texts) > DEEPL_MAX_TEXTS:
            problem = "Too many texts: at most %d per request." % DEEPL_MAX_TEXTS
        elif not target:
            problem = "Parameter 'target_lang' not specified."
        elif target not in targets:
            problem = "Value for 'target_lang' not supported."
        elif source is not None and str(source).upper() not in sources:
            problem = "Value for 'source_lang' not supported."
        elif fields.get("tag_handling") not in (None, "html", "xml"):
            problem = "Value for 'tag_handling' not supported."
        if problem is not None:
            record["status"] = 400
            self.deepl_error(400, problem)
            return
        translate = translate_html if fields.get("tag_handling") in ("html", "xml") else translate_text
        detected = str(source).upper() if source else "EN"
        record["status"] = 200
        self.send_json(200, {"translations": [{"detected_source_language": detected, "text": translate(text)}
                                              for text in texts]})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description="A fake LibreTranslate and DeepL v2 server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0, help="added to every translate request")
    parser.add_argument("--libre-key", help="the api_key LibreTranslate requires")
    parser.add_argument("--deepl-key", help="the key DeepL requires")
    arguments = parser.parse_args()
    # A parent that starts this server from a thread with signals blocked (Foundation's Process on a Dispatch
    # thread) passes that mask on: without this, SIGTERM would never end the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    server = Server((arguments.host, arguments.port), Handler)
    server.state = State(arguments.delay_ms)
    server.libre_key = arguments.libre_key
    server.deepl_key = arguments.deepl_key
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
