"""How clean PNGs are written: MedSnap's png_writer against Pillow's own PNG encoder (levels 1-6),
time and output size, on pictures like the ones clinicians send.

    .venv/bin/python benchmarks/png_encode_choice.py [--repeat 3]

Pictures (made here, seeded): a 2560x1440 screenshot of a record (flat colours, text, a chart),
an A4 scan at 300 dpi (paper grain, text), a 2400x1800 photograph (smooth fields, shapes, camera
grain), and 5 MB of random pixels (the messaging benchmark's worst case: nothing to compress).
Times are CPU seconds of this process (the best of ``--repeat``), so other load on the machine
matters less; sizes are what an upload and the encryption then have to carry. The verifier's
time (it inflates what was written) is shown too, since every export pays it.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from export_sample import FONT, _random_image, _shapes  # noqa: E402
from medsnap.imaging.metadata import verify_clean  # noqa: E402
from medsnap.imaging.png_writer import choose_filter_and_level, encode_png  # noqa: E402

WORDS = ("pain chest review bloods ECG normal plan discharge oxygen saturation stable observe "
         "fluids reassess x-ray creatinine potassium").split()


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def screenshot(rng: random.Random) -> Image.Image:
    width, height = 2560, 1440
    image = Image.new("RGB", (width, height), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 64), fill=(0, 94, 184))
    draw.rectangle((0, 64, 260, height), fill=(232, 236, 241))
    title, small = _font(15), _font(13)
    draw.text((20, 20), "Electronic Patient Record - Ward 7 - Jane Example NHS 999 123 4567",
              fill="white", font=title)
    for row in range(40):
        draw.text((20, 90 + row * 30), " ".join(rng.choices(WORDS, k=2)), fill=(40, 40, 60),
                  font=small)
    for top in range(90, height - 40, 26):
        draw.rectangle((290, top, width - 30, top + 24),
                       fill=(255, 255, 255) if (top // 26) % 2 else (240, 244, 250))
        for column in range(8):
            text = " ".join(rng.choices(WORDS, k=rng.randrange(1, 4)))
            draw.text((300 + column * (width - 330) // 8, top + 4),
                      f"{text} {rng.randrange(1000)}", fill=(20, 20, 30), font=small)
    draw.line([(300 + i * 6, 900 + rng.randrange(-40, 40)) for i in range(300)],
              fill=(200, 30, 30), width=2)
    return image


def scan(rng: random.Random) -> Image.Image:
    width, height = 2480, 3508
    paper = ImageChops.add(Image.new("L", (width, height), 236),
                           Image.effect_noise((width, height), 6), 1.0, -128)
    draw = ImageDraw.Draw(paper)
    font = _font(34)
    for row in range(70):
        draw.text((200, 250 + row * 44), " ".join(rng.choices(WORDS, k=rng.randrange(6, 12))),
                  fill=30, font=font)
    return paper.filter(ImageFilter.GaussianBlur(0.7)).convert("RGB")


def photograph(rng: random.Random, width: int = 2400, height: int = 1800) -> Image.Image:
    picture = _random_image(rng, "RGB", (24, 16)).resize((width, height), Image.BICUBIC)
    blotches = _random_image(rng, "RGB", (240, 180)).resize((width, height), Image.BILINEAR)
    picture = Image.blend(picture, blotches, 0.18)
    _shapes(ImageDraw.Draw(picture), rng)
    picture = picture.filter(ImageFilter.GaussianBlur(1.1))
    grain = _random_image(rng, "L", (width, height)).point(lambda v: v * 8 // 255)
    return ImageChops.add(picture, Image.merge("RGB", (grain, grain, grain)), 1.0, -4)


def noise(rng: random.Random) -> Image.Image:
    side = 1321  # 5.2 MB of RGB
    return _random_image(rng, "RGB", (side, side))


def cpu_seconds(work, repeat: int) -> tuple[float, bytes]:
    best, out = float("inf"), b""
    for _ in range(repeat):
        start = time.process_time()
        out = work()
        best = min(best, time.process_time() - start)
    return best, out


def pillow_png(image: Image.Image, level: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=level)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(2026)
    pictures = {"record screenshot": screenshot(rng), "A4 scan 300 dpi": scan(rng),
                "photograph": photograph(rng), "random pixels": noise(rng)}
    for name, image in pictures.items():
        raw = image.width * image.height * len(image.getbands())
        print(f"\n{name} {image.width}x{image.height}, {raw / 1e6:.1f} MB of pixels")
        print(f"  {'encoder':<34} {'CPU ms':>8} {'MB out':>8} {'verify ms':>10}  vs Pillow 6")
        reference = None
        rows = [(f"Pillow level {level}", lambda level=level: pillow_png(image, level))
                for level in range(1, 7)]
        kind, level = choose_filter_and_level(image)
        rows.append((f"png_writer (filter {kind}, level {level})", lambda: encode_png(image)))
        results = []
        for label, work in rows:
            seconds, out = cpu_seconds(work, args.repeat)
            verify, _ = cpu_seconds(lambda out=out: verify_clean(out), args.repeat)
            results.append((label, seconds, out, verify))
            if label == "Pillow level 6":
                reference = (seconds, len(out))
        assert reference is not None
        for label, seconds, out, verify in results:
            print(f"  {label:<34} {seconds * 1000:8.1f} {len(out) / 1e6:8.2f} {verify * 1000:10.1f}"
                  f"  time {seconds / reference[0]:5.2f}x size {len(out) / reference[1]:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
