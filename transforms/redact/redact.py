#!/usr/bin/env python3
"""Refract exec plugin: masks e-mail addresses and phone numbers in text, streaming line by line.

stdin is the object, stdout a CGI response with the input's Content-Type. Each line is masked and flushed as soon as
it is complete, so the first lines reach the client while later ones are still being read; a line longer than
MAX_LINE is processed in pieces, so no input is ever held whole. Bytes that are not UTF-8 pass through unchanged.
Every character of a match is replaced by the ``mask`` parameter (REFRACT_PARAM_MASK, default ``*``); README.md
lists which phone formats count and which look-alikes (dates, times, versions, years) do not.
"""

import codecs
import os
import re
import sys

MAX_LINE = 64 * 1024
# Longer than any match plus the context the patterns look at (an address matches at most 9 * 65 + 8 * 64 + 63
# characters, a phone number about 150), so text this far from the end of the buffer can be masked without seeing
# what follows.
LOOKAHEAD = 2048

LOCAL_PART = r"[\w!#$%&'*+/=?^`{|}~-]"
EMAIL = rf"""
    (?<!{LOCAL_PART}|[.@])                         # the whole local part, not the tail of a longer word
    {LOCAL_PART}{{1,64}}(?:\.{LOCAL_PART}{{1,64}}){{0,8}}
    @
    (?:[^\W_](?:[\w-]{{0,61}}[^\W_])?\.){{1,8}}     # domain labels
    (?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})     # top-level domain: letters, or punycode
    (?![\w-]|\.[^\W_])                             # not cut out of a longer domain
"""

# A digit sequence counts as a phone number only in one of these shapes (README.md explains the choice):
PHONE = r"""
    (?<![\w+])(?<!\d[.,-])                          # not glued to a word or the end of another number
    (?:
        (?P<international>                         # +44 20 7946 0958, +1 (555) 123-4567, +4915112345678
            \+\d{1,15}
            (?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,14}|[ .-]\d{1,14}){0,6}
        )
      | (?P<nanp>                                  # (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567
            (?:1[ .-])?
            (?:\(\d{3}\)[ .-]?|\d{3}[ .-])
            \d{3}[ .-]\d{4}
        )
      | (?P<trunk>                                 # 030 1234567, 06 12 34 56 78, (030) 1234567, 020-7946-0958
            (?:\(0\d{1,4}\)[ ]?\d{2,8}|0\d{1,4}(?P<separator>[ .-])\d{2,8})
            (?:(?P=separator)\d{2,8}){0,4}
        )
      | (?P<local>                                 # 555-1234
            \d{3}-\d{4}
        )
    )
    (?!\w|[.-]\d)                                  # not the start of a longer number
"""

PATTERN = re.compile(rf"(?P<email>{EMAIL})|(?P<phone>{PHONE})", re.VERBOSE)
# Most text has no "@": looking for addresses there is the costliest part of the search, and pointless.
PHONE_PATTERN = re.compile(rf"(?P<phone>{PHONE})", re.VERBOSE)

# Shapes of the trunk-prefix form that are not phone numbers: dates (01.02.2024, 01-15-2024) and opening hours
# (0900-1700).
NOT_A_PHONE = re.compile(r"""
    \d{1,2}(?P<s1>[ .-])\d{1,2}(?P=s1)[12]\d{3}
  | [12]\d{3}(?P<s2>[ .-])\d{1,2}(?P=s2)\d{1,2}
  | (?:[01]\d|2[0-3])[0-5]\d-(?:[01]\d|2[0-3])[0-5]\d
""", re.VERBOSE)


def is_sensitive(match):
    number = match.group("phone")
    if number is None:  # an e-mail address
        return True
    if match.group("international"):
        return 8 <= sum(map(str.isdigit, number)) <= 15
    if match.group("trunk"):
        return 7 <= sum(map(str.isdigit, number)) <= 15 and not NOT_A_PHONE.fullmatch(number)
    return True


class Masker:
    """Masks a text that arrives in pieces, holding back only the tail a later piece could still change."""

    def __init__(self, mask):
        self.mask = mask
        self.pending = ""
        self.context = ""  # already emitted text the patterns' look-behinds may need

    def feed(self, text, final):
        """The masked text that is now certain; with ``final``, everything that is left."""
        buffer = self.context + self.pending + text
        start = len(self.context)
        settled = len(buffer) if final else max(start, len(buffer) - LOOKAHEAD)
        pieces, position = [], start
        pattern = PATTERN if "@" in buffer else PHONE_PATTERN
        for match in pattern.finditer(buffer, start):
            if match.start() >= settled or (match.end() > settled and not final):
                settled = min(settled, match.start())  # it may grow with the next piece
                break
            if is_sensitive(match):
                pieces.append(buffer[position:match.start()])
                pieces.append(self.mask * (match.end() - match.start()))
                position = match.end()
        pieces.append(buffer[position:settled])
        self.pending = buffer[settled:]
        self.context = buffer[max(0, settled - 8):settled]
        return "".join(pieces)


def main():
    mask = os.environ.get("REFRACT_PARAM_MASK", "*")
    content_type = os.environ.get("CONTENT_TYPE") or "text/plain; charset=utf-8"
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sink.write(f"Content-Type: {content_type}\n\n".encode("latin-1"))
    sink.flush()
    # surrogateescape: a byte that is not UTF-8 decodes to a stand-in character and encodes back to itself.
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    masker = Masker(mask)
    while True:
        line = source.readline(MAX_LINE)
        final = not line
        text = masker.feed(decoder.decode(line, final=final), final=final or line.endswith(b"\n"))
        sink.write(text.encode("utf-8", errors="surrogateescape"))
        sink.flush()
        if final:
            break


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # The gateway stopped reading (the client went away): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
