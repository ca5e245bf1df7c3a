"""watermark.py run as the gateway runs it, on real images made with ImageMagick."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAM = Path(__file__).resolve().parent / "watermark.py"
WIDTH, HEIGHT = 320, 200
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def make_image(tmp_path, extension, frames=1):
    """A WIDTHxHEIGHT image of one mid-grey colour (frames of it, for an animation)."""
    path = tmp_path / f"source.{extension}"
    command = ["convert"]
    for frame in range(frames):
        command += ["-size", f"{WIDTH}x{HEIGHT}", f"xc:rgb({90 + frame * 20},100,110)"]
    subprocess.run([*command, str(path)], check=True)
    return path.read_bytes()


def run(tmp_path, image, content_type, **parameters):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"requestId": "req-wm", "transform": {"name": "watermark", "parameters": parameters}}))
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "REFRACT_EVENT": str(event),
        "REFRACT_REQUEST_ID": "req-wm",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(image)),
        "REFRACT_PARAM_TEXT": "Refract",
        "REFRACT_PARAM_GRAVITY": "southeast",
        "REFRACT_PARAM_OPACITY": "0.5",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    environment.update({f"REFRACT_PARAM_{name.upper()}": str(value) for name, value in parameters.items()})
    return subprocess.run([sys.executable, str(PROGRAM)], input=image, capture_output=True, env=environment,
                          cwd=PROGRAM.parent, timeout=60)


def body_of(process):
    assert process.returncode == 0, process.stderr.decode()
    head, separator, body = process.stdout.partition(b"\n\n")
    assert separator, "no blank line after the CGI header"
    return head.decode().split("\n"), body


def describe(image, frame=0):
    """ImageMagick's format name, width and height of a frame of `image`, read back from its bytes."""
    output = subprocess.run(["identify", "-format", "%m %w %h\n", f"-[{frame}]"], input=image,
                            capture_output=True, check=True).stdout.decode()
    magick, width, height = output.split()
    return magick, int(width), int(height)


def pixels(image, frame=0):
    return subprocess.run(["convert", f"-[{frame}]", "-coalesce", "-depth", "8", "rgb:-"], input=image,
                          capture_output=True, check=True).stdout


def changed_pixels_by_quadrant(before, after):
    """{"northwest": n, ...}: pixels where some channel moved by more than a lossy re-encode would move it."""
    counts = {"northwest": 0, "northeast": 0, "southwest": 0, "southeast": 0}
    for index in range(0, len(before), 3):
        if max(abs(before[index + channel] - after[index + channel]) for channel in range(3)) > 40:
            x, y = (index // 3) % WIDTH, (index // 3) // WIDTH
            counts[("north" if y < HEIGHT // 2 else "south") + ("west" if x < WIDTH // 2 else "east")] += 1
    return counts


@pytest.mark.parametrize("extension", ["png", "jpeg", "gif", "webp"])
def test_draws_the_text_in_the_southeast_corner_keeping_format_and_size(tmp_path, extension):
    source = make_image(tmp_path, extension)
    headers, output = body_of(run(tmp_path, source, CONTENT_TYPES[extension]))
    assert headers == [f"Content-Type: {CONTENT_TYPES[extension]}"]
    assert describe(output) == describe(source)
    counts = changed_pixels_by_quadrant(pixels(source), pixels(output))
    assert counts["southeast"] > 100, counts
    assert counts["northwest"] == counts["northeast"] == 0, counts


@pytest.mark.parametrize("gravity, marked", [("northwest", "northwest"), ("northeast", "northeast"),
                                             ("southwest", "southwest")])
def test_gravity_moves_the_text(tmp_path, gravity, marked):
    source = make_image(tmp_path, "png")
    _, output = body_of(run(tmp_path, source, "image/png", gravity=gravity))
    counts = changed_pixels_by_quadrant(pixels(source), pixels(output))
    assert counts[marked] > 100, counts
    assert sum(counts.values()) == counts[marked], counts


def test_center_gravity_marks_the_middle(tmp_path):
    source = make_image(tmp_path, "png")
    _, output = body_of(run(tmp_path, source, "image/png", gravity="center"))
    counts = changed_pixels_by_quadrant(pixels(source), pixels(output))
    assert all(count > 20 for count in counts.values()), counts


def test_opacity_zero_leaves_the_pixels_alone(tmp_path):
    source = make_image(tmp_path, "png")
    _, output = body_of(run(tmp_path, source, "image/png", opacity="0"))
    assert pixels(output) == pixels(source)


def test_higher_opacity_marks_more_strongly(tmp_path):
    source = make_image(tmp_path, "png")
    _, faint = body_of(run(tmp_path, source, "image/png", opacity="0.3"))
    _, strong = body_of(run(tmp_path, source, "image/png", opacity="1"))
    brightest = lambda image: max(pixels(image))  # the white fill, more or less see-through
    assert brightest(faint) < brightest(strong) == 255


def test_every_frame_of_an_animation_is_marked(tmp_path):
    source = make_image(tmp_path, "gif", frames=3)
    _, output = body_of(run(tmp_path, source, "image/gif"))
    frames = subprocess.run(["identify", "-format", "%m\n", "-"], input=output, capture_output=True,
                            check=True).stdout.decode().split()
    assert frames == ["GIF", "GIF", "GIF"]
    for frame in range(3):
        counts = changed_pixels_by_quadrant(pixels(source, frame), pixels(output, frame))
        assert counts["southeast"] > 100 and counts["northwest"] == 0, (frame, counts)


def test_text_is_drawn_literally(tmp_path):
    """%-escapes and @file are not interpreted: "%w" is drawn as two characters, not as the width "320"."""
    source = make_image(tmp_path, "png")
    for text in ["%w", "@/etc/hostname", "100%", "back\\slash"]:
        process = run(tmp_path, source, "image/png", text=text, gravity="northwest")
        _, output = body_of(process)
        counts = changed_pixels_by_quadrant(pixels(source), pixels(output))
        assert counts["northwest"] > 20, (text, counts)
    percent_w = pixels(body_of(run(tmp_path, source, "image/png", text="%w"))[1])
    width = pixels(body_of(run(tmp_path, source, "image/png", text=str(WIDTH)))[1])
    assert percent_w != width


def test_a_corrupt_image_fails_with_convert_s_message_and_no_output(tmp_path):
    source = make_image(tmp_path, "png")
    data_start = source.index(b"IDAT") + 4
    corrupt = source[:data_start] + b"\0" * 16 + source[data_start + 16:]  # header intact, pixel data broken
    process = run(tmp_path, corrupt, "image/png")
    assert process.returncode != 0
    assert process.stdout == b""
    assert any(line.startswith(b"convert") and b"@ error/" in line for line in process.stderr.splitlines()), \
        process.stderr


def test_bytes_that_are_no_image_fail(tmp_path):
    process = run(tmp_path, b"not an image at all", "image/jpeg")
    assert process.returncode != 0
    assert process.stdout == b""
    assert b"@ error/" in process.stderr


@pytest.mark.parametrize("parameters, message", [
    ({"gravity": "up"}, b"gravity must be one of"),
    ({"opacity": "2"}, b"opacity must be from 0 to 1"),
    ({"opacity": "lots"}, b"opacity must be a number"),
])
def test_bad_parameters_are_refused(tmp_path, parameters, message):
    process = run(tmp_path, make_image(tmp_path, "png"), "image/png", **parameters)
    assert process.returncode == 2
    assert process.stdout == b""
    assert message in process.stderr


def test_a_content_type_it_does_not_take_is_refused(tmp_path):
    process = run(tmp_path, make_image(tmp_path, "png"), "image/tiff")
    assert process.returncode == 2
    assert process.stdout == b""
    assert b"cannot watermark image/tiff" in process.stderr
