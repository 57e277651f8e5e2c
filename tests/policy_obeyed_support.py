"""Shared by tests/test_policy_obeyed_*.py: a real policy file the app reads through
MEDSNAP_POLICY_FILE, a photograph to export, and the JPEG quality read back from its bytes."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw


def write_policy(folder: Path, text: str) -> Path:
    """A policy file as IT writes it (not writable by every user, or it is ignored)."""
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o644)
    return path


def photo_jpeg(path: Path, size: tuple[int, int] = (320, 240)) -> Path:
    """A camera-like JPEG with detail (so that the quality shows in the bytes)."""
    image = Image.new("RGB", size, (200, 150, 120))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 8):
        draw.line([(x, 0), (size[0] - x, size[1])], fill=(x % 255, 40, 255 - x % 255), width=3)
    image.save(path, "JPEG", quality=95)
    return path


def luma_table(quality: int) -> list[int]:
    """The luminance quantisation table Pillow writes for ``quality``."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (128, 128, 128)).save(buffer, "JPEG", quality=quality)
    with Image.open(buffer) as image:
        return list(image.quantization[0])


def jpeg_quality_of(data: bytes) -> int:
    """The quality (50-95) whose table the JPEG ``data`` carries; fails if it is none."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG", image.format
        table = list(image.quantization[0])
    matches = [quality for quality in range(50, 96) if luma_table(quality) == table]
    assert matches, "not a quality MedSnap writes"
    return matches[0]
