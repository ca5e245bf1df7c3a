#!/usr/bin/env python3
"""Refract exec plugin: draws a text watermark on an image with ImageMagick's ``convert``.

stdin is the image, stdout a CGI response: the input's Content-Type, then the image in the same format, streamed
from convert's output. Parameters (REFRACT_PARAM_*): ``text`` (default "Refract"), ``gravity`` (southeast,
southwest, northeast, northwest, center; default southeast) and ``opacity`` (0..1, default 0.5). The text's size
follows the image's: about a twelfth of its shorter side, smaller when a long text would not fit.

When convert fails, its message is on stderr, nothing is written to stdout and the exit status is non-zero.
"""

import os
import subprocess
import sys

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
GRAVITIES = {"southeast": "SouthEast", "southwest": "SouthWest", "northeast": "NorthEast",
             "northwest": "NorthWest", "center": "Center"}
# Tried in order; ImageMagick's own default font is often missing (it then fails on "helvetica").
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
]
CHUNK = 64 * 1024


class UsageError(Exception):
    pass


def parameters():
    text = os.environ.get("REFRACT_PARAM_TEXT", "Refract")
    gravity = os.environ.get("REFRACT_PARAM_GRAVITY", "southeast").lower()
    if gravity not in GRAVITIES:
        raise UsageError(f"gravity must be one of {', '.join(GRAVITIES)}, got {gravity!r}")
    try:
        opacity = float(os.environ.get("REFRACT_PARAM_OPACITY", "0.5"))
    except ValueError:
        raise UsageError(f"opacity must be a number from 0 to 1, got {os.environ['REFRACT_PARAM_OPACITY']!r}")
    if not 0 <= opacity <= 1:
        raise UsageError(f"opacity must be from 0 to 1, got {opacity}")
    return text, GRAVITIES[gravity], opacity


def image_format(content_type):
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in FORMATS:
        raise UsageError(f"cannot watermark {content_type or 'an object without a Content-Type'}: "
                         f"takes {', '.join(FORMATS)}")
    return FORMATS[media_type]


def annotation_text(text):
    """``text`` as -annotate draws it literally: no %-escapes, \\-escapes or @file."""
    escaped = text.replace("\\", "\\\\").replace("%", "%%")
    return "\\" + escaped if escaped.startswith("@") else escaped


def image_size(image, magick):
    """(width, height) of the first frame, or None when ImageMagick cannot read the image."""
    process = subprocess.run(["identify", "-ping", "-format", "%w %h\n", f"{magick}:-[0]"], input=image,
                             stdout=subprocess.PIPE)
    if process.returncode != 0:
        return None
    width, height = process.stdout.split()[:2]
    return int(width), int(height)


def convert_command(magick, size, text, gravity, opacity):
    width, height = size
    point_size = max(8, min(min(width, height) / 12, 0.9 * width / (0.62 * max(1, len(text)))))
    margin = round(point_size / 2)
    outline = max(1, round(point_size / 16))
    command = ["convert", f"{magick}:-"]
    if magick in ("GIF", "WEBP"):
        command.append("-coalesce")  # whole frames, so the text sits in the same corner on each
    command.append("-auto-orient")  # the corner as the image is shown, not as it is stored
    font = next((path for path in FONTS if os.path.exists(path)), None)
    if font:
        command += ["-font", font]
    offset = "+0+0" if gravity == "Center" else f"+{margin}+{margin}"
    command += [
        "-gravity", gravity, "-pointsize", f"{point_size:.1f}",
        # A dark outline under light text keeps the mark readable on light and dark images alike.
        "-fill", "none", "-stroke", f"rgba(0,0,0,{opacity * 0.6:.3f})", "-strokewidth", str(outline),
        "-annotate", offset, annotation_text(text),
        "-fill", f"rgba(255,255,255,{opacity:.3f})", "-stroke", "none",
        "-annotate", offset, annotation_text(text),
    ]
    if magick == "GIF":
        command += ["-layers", "Optimize"]
    command.append(f"{magick}:-")
    return command


def main():
    content_type = os.environ.get("CONTENT_TYPE", "")
    try:
        text, gravity, opacity = parameters()
        magick = image_format(content_type)
    except UsageError as error:
        print(f"watermark: {error}", file=sys.stderr)
        return 2
    # convert reads the whole image before drawing anyway; it is needed twice, to size the text and to draw it.
    image = sys.stdin.buffer.read()
    size = image_size(image, magick)
    if size is None:
        print("watermark: identify could not read the image", file=sys.stderr)
        return 1
    # stderr is inherited: convert's messages go straight to the gateway's log. convert stays in this process's
    # group, which the gateway kills on a timeout or a client gone.
    process = subprocess.Popen(convert_command(magick, size, text, gravity, opacity), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)
    # convert writes nothing before it has drawn, so its first bytes tell success: only then the CGI header goes out.
    try:
        process.stdin.write(image)
        process.stdin.close()
    except BrokenPipeError:
        pass  # convert gave up before reading it all; its status and message tell why
    del image
    first = process.stdout.read1(CHUNK)
    if not first:
        status = process.wait()
        print(f"watermark: convert exited with status {status} and no image", file=sys.stderr)
        return status or 1
    sink = sys.stdout.buffer
    sink.write(f"Content-Type: {content_type}\n\n".encode("latin-1") + first)
    while chunk := process.stdout.read1(CHUNK):
        sink.write(chunk)
    sink.flush()
    status = process.wait()
    if status != 0:
        print(f"watermark: convert exited with status {status} after writing part of the image", file=sys.stderr)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The gateway stopped reading (the client went away).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
