"""`medsnap send` without redactions re-encodes without starting Qt (plain_pixels); its bytes must
be exactly those of the one painter's export, for every kind of picture and with a crop."""

from __future__ import annotations

import io
import random
import subprocess
import sys

import pytest
from PIL import Image

from medsnap.cli.send import plain_pixels
from medsnap.document import Document, Rect, SetCrop
from medsnap.exporting import export_bytes
from medsnap.imaging import encode_clean, load_picture


def _picture_bytes(mode: str, fmt: str) -> bytes:
    rng = random.Random(mode)
    rgba = Image.frombytes("RGBA", (61, 47), rng.randbytes(61 * 47 * 4))
    image = rgba.convert(mode) if mode != "P" else rgba.convert("RGB").quantize(40)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("mode,fmt", [("RGB", "PNG"), ("RGBA", "PNG"), ("L", "PNG"),
                                      ("LA", "PNG"), ("P", "PNG"), ("RGB", "JPEG"),
                                      ("L", "JPEG"), ("I;16", "PNG")])
@pytest.mark.parametrize("crop", [None, (3, 5, 40, 30)])
def test_plain_pixels_encode_to_the_painters_bytes(mode, fmt, crop):
    source = _picture_bytes(mode, fmt)
    out = "jpeg" if fmt == "JPEG" else "png"
    picture = load_picture(source)
    document = Document(picture)
    if crop:
        SetCrop(document.crop, Rect(*crop)).apply(document)
    painted = export_bytes(document, out)
    plain = encode_clean(plain_pixels(load_picture(source).image, crop), out)
    assert plain == painted


def test_send_without_redactions_does_not_import_qt(tmp_path):
    source = tmp_path / "p.png"
    source.write_bytes(_picture_bytes("RGB", "PNG"))
    probe = ("import sys, argparse\n"
             "from medsnap.cli.send import clean_image\n"
             f"clean_image(argparse.Namespace(image={str(source)!r}, crop=(0, 0, 9, 9), "
             "redact=[]))\n"
             "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'medsnap.render',"
             " 'medsnap.document'))))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_typing_is_whole_before_send_imports_on_two_threads():
    # dataclasses reads sys.modules["typing"] without importing it: a dataclass made on the
    # re-encode thread while the main thread was half-way through importing typing failed
    # once in CI. The background thread starts only once typing is imported whole.
    probe = ("import sys, threading\n"
             "import medsnap.messaging.command_support as support\n"
             "assert 'typing' not in sys.modules, 'the probe needs typing not yet imported'\n"
             "seen = []\n"
             "support._Background(lambda: seen.append('typing' in sys.modules)).result()\n"
             "print(seen)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[True]"
