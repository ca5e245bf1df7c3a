"""redact.py run as the gateway runs it: a process with the object on stdin and a CGI response on stdout."""

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAM = Path(__file__).resolve().parent / "redact.py"


def environment(tmp_path, **parameters):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"requestId": "req-redact", "transform": {"name": "redact", "version": "1.0.0",
                                                                          "parameters": parameters}}))
    variables = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "REFRACT_EVENT": str(event),
        "REFRACT_REQUEST_ID": "req-redact",
        "CONTENT_TYPE": "text/plain; charset=utf-8",
        "REFRACT_PARAM_MASK": "*",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    variables.update({f"REFRACT_PARAM_{name.upper()}": value for name, value in parameters.items()})
    return variables


def run(tmp_path, data, **parameters):
    """(headers, body) of one run over `data`."""
    process = subprocess.run([sys.executable, str(PROGRAM)], input=data, capture_output=True,
                             env=environment(tmp_path, **parameters), cwd=PROGRAM.parent, timeout=30)
    assert process.returncode == 0, process.stderr.decode()
    head, separator, body = process.stdout.partition(b"\n\n")
    assert separator, "no blank line after the CGI header"
    return head.decode().split("\n"), body


def masked(tmp_path, text, **parameters):
    return run(tmp_path, (text + "\n").encode(), **parameters)[1].decode()[:-1]


@pytest.mark.parametrize("text, expected", [
    ("Mail john.doe@example.com today.", "Mail ******************** today."),
    ("<jane+tag@mail.example.co.uk>", "<***************************>"),
    ("müller@bücher.de wrote", "**************** wrote"),
    ("Call +1 555 123 4567.", "Call ***************."),
    ("UK +44 (0)20 7946 0958", "UK *******************"),
    ("+1 (555) 123-4567", "*****************"),
    ("+4915112345678", "**************"),
    ("+33 1 23 45 67 89", "*****************"),
    ("(555) 123-4567 or (555)123-4567", "************** or *************"),
    ("555-123-4567, 555.123.4567, 555 123 4567", "************, ************, ************"),
    ("1-555-123-4567", "**************"),
    ("Berlin 030 1234567", "Berlin ***********"),
    ("Paris 06 12 34 56 78 / 06.12.34.56.78", "Paris ************** / **************"),
    ("(030) 1234567 and 0171-2345678", "************* and ************"),
    ("ring 555-1234.", "ring ********."),
])
def test_masks_addresses_and_phone_numbers(tmp_path, text, expected):
    assert masked(tmp_path, text) == expected


@pytest.mark.parametrize("text", [
    "dates 2024-01-15 15.01.2024 01.02.2024 01-15-2024 01/15/2024 2024.01.15 15 01 2024",
    "timestamps 2024-01-15T10:30:00Z 2024-01-15T10:30:00+01:00 2024-01-15 10:30:00.123",
    "versions 1.2.3 10.0.19041.1 v2.10.15 0.12.3 python3.11.7",
    "years 2024, 1999-2005, 2019 - 2024; hours 0900-1700",
    "addresses 192.168.100.200 10.0.0.1",
    "numbers 1 234 567 1.234.567 3.14159265 5551234567 1700000000 12345-6789",
    "card 4111 1111 1111 1111, ISBN 978-3-16-148410-0, price $1,234.56",
    "not addresses: foo@bar, a@b.c, user@localhost, @handle",
    "timezone +01:00 and +0100",
    "glued x555-1234 1.555-1234 555-1234-9",
])
def test_leaves_look_alikes_alone(tmp_path, text):
    assert masked(tmp_path, text) == text


def test_the_mask_parameter_replaces_each_character(tmp_path):
    assert masked(tmp_path, "a@b.io 555-1234", mask="#") == "###### ########"
    assert masked(tmp_path, "x a@b.io y", mask="[]") == "x [][][][][][] y"
    assert masked(tmp_path, "x a@b.io y", mask="") == "x  y"


def test_keeps_the_inputs_content_type(tmp_path):
    event = environment(tmp_path)
    event["CONTENT_TYPE"] = "text/csv; charset=iso-8859-1"
    process = subprocess.run([sys.executable, str(PROGRAM)], input=b"a,b\n", capture_output=True, env=event)
    assert process.stdout == b"Content-Type: text/csv; charset=iso-8859-1\n\na,b\n"


def test_bytes_that_are_not_utf8_pass_through_unchanged(tmp_path):
    data = b"caf\xe9 \xff\xfe bob@example.org \xc3\n\x80 tail 555-1234\n\xe2\x82"  # Latin-1, stray, cut-off UTF-8
    _, body = run(tmp_path, data)
    assert body == b"caf\xe9 \xff\xfe *************** \xc3\n\x80 tail ********\n\xe2\x82"


def test_line_endings_and_a_missing_final_newline_are_kept(tmp_path):
    _, body = run(tmp_path, b"a@b.io\r\n\r\nlast 555-1234")
    assert body == b"******\r\n\r\nlast ********"


def test_an_empty_object_gives_an_empty_body(tmp_path):
    headers, body = run(tmp_path, b"")
    assert headers == ["Content-Type: text/plain; charset=utf-8"]
    assert body == b""


def test_a_line_longer_than_the_read_limit_is_masked_across_its_pieces(tmp_path):
    # redact.py reads at most 64 KiB of a line at a time. One line per offset puts the piece boundary at every
    # position of the entry after the filler, so each match is cut somewhere by the boundary in one of the lines.
    entry = " n 555-123-4567 m mail@example.com +44 20 7946 0958 ."
    masked_entry = " n ************ m **************** **************** ."
    lines, expected = [], []
    for offset in range(len(entry)):
        filler = "x" * (64 * 1024 - offset)
        lines.append(filler + entry * 3)
        expected.append(filler + masked_entry * 3)
    _, body = run(tmp_path, "\n".join(lines).encode())
    assert body.decode().split("\n") == expected


def test_streams_line_by_line(tmp_path):
    """Each line's masked output arrives before the next line is written."""
    process = subprocess.Popen([sys.executable, str(PROGRAM)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               env=environment(tmp_path), bufsize=0)
    received = bytearray()
    try:
        def read_line():
            while b"\n" not in received:
                ready, _, _ = select.select([process.stdout], [], [], 10)
                assert ready, f"no whole line within 10 s, only {bytes(received)!r}: the line was not flushed"
                chunk = os.read(process.stdout.fileno(), 4096)
                assert chunk, f"end of output before a whole line: {bytes(received)!r}"
                received.extend(chunk)
            end = received.index(b"\n") + 1
            line = bytes(received[:end])
            del received[:end]
            return line

        assert read_line() == b"Content-Type: text/plain; charset=utf-8\n"
        assert read_line() == b"\n"
        for line, expected in [(b"first alice@example.com\n", b"first *****************\n"),
                               (b"second 555-123-4567\n", b"second ************\n"),
                               (b"third plain\n", b"third plain\n")]:
            process.stdin.write(line)
            process.stdin.flush()
            assert read_line() == expected
        process.stdin.close()
        assert received + process.stdout.read() == b""
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
