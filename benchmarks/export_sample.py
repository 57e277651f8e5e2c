"""Make a reproducible, photograph-like 24-megapixel JPEG for the export benchmark.

Seeded: the same seed gives the same bytes. Smooth colour fields, blotchy mid texture,
shapes, a printed-record panel with text, a slight blur and fine luminance grain, so it
compresses like a camera photo of a record (~10 MB at quality 92).

    .venv/bin/python benchmarks/export_sample.py [--seed N] [--out PATH]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 6000, 4000
OUT = Path(__file__).resolve().parent / "out"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
GRAIN = 26  # peak-to-peak amplitude of the luminance grain


def _random_image(rng: random.Random, mode: str, size: tuple[int, int]) -> Image.Image:
    bands = len(mode)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * bands))


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _shapes(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _ in range(350):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        w, h = rng.randrange(40, 900), rng.randrange(40, 700)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice(("ellipse", "rectangle", "line"))
        if shape == "line":
            draw.line((x, y, x + w, y + h - 350), fill=colour, width=rng.randrange(2, 30))
        else:
            getattr(draw, shape)((x, y, x + w, y + h), fill=colour,
                                 outline=(0, 0, 0), width=rng.randrange(1, 8))


def _record_panel(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A photographed page of a record: the part a clinician crops and redacts."""
    left, top = 1200, 700
    draw.rectangle((left, top, left + 3400, top + 2600), fill=(236, 234, 226))
    title, body = _font(96), _font(52)
    draw.text((left + 120, top + 100), "WARD 7 - CLINICAL NOTE", fill=(20, 20, 30), font=title)
    draw.text((left + 120, top + 260), "Patient: Jane Example   NHS 999 123 4567   DOB 01/02/1950",
              fill=(30, 30, 40), font=body)
    words = ("pain", "chest", "review", "bloods", "ECG", "normal", "plan", "discharge",
             "oxygen", "saturation", "stable", "observe", "fluids", "reassess", "x-ray")
    for line in range(30):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(6, 14)))
        draw.text((left + 120, top + 400 + line * 70), text, fill=(25, 25, 35), font=body)


def make_sample(path: Path, seed: int = 2026) -> Path:
    rng = random.Random(seed)
    picture = _random_image(rng, "RGB", (24, 16)).resize((WIDTH, HEIGHT), Image.BICUBIC)
    blotches = _random_image(rng, "RGB", (600, 400)).resize((WIDTH, HEIGHT), Image.BILINEAR)
    picture = Image.blend(picture, blotches, 0.18)
    del blotches
    draw = ImageDraw.Draw(picture)
    _shapes(draw, rng)
    _record_panel(draw, rng)
    picture = picture.filter(ImageFilter.GaussianBlur(1.1))  # optics are never perfectly sharp
    grain = _random_image(rng, "L", (WIDTH, HEIGHT)).point(lambda v: v * GRAIN // 255)
    grain = Image.merge("RGB", (grain, grain, grain))
    picture = ImageChops.add(picture, grain, scale=1.0, offset=-GRAIN // 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, "JPEG", quality=92, subsampling="4:2:0")
    return path


def sample_path(seed: int = 2026) -> Path:
    """The sample for ``seed``, made once and reused."""
    path = OUT / f"export-sample-{WIDTH}x{HEIGHT}-seed{seed}.jpg"
    if not path.exists():
        make_sample(path.with_suffix(".part"), seed).rename(path)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    made = make_sample(options.out, options.seed) if options.out else sample_path(options.seed)
    print(f"{made} {made.stat().st_size / 1e6:.1f} MB")
