"""The committed PNG sizes and ICO are renderings of the current app icon SVG."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("make_icons", REPO / "packaging" / "make_icons.py")
make_icons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_icons)


def test_committed_pngs_have_their_sizes_and_transparent_corners():
    for size in make_icons.PNG_SIZES:
        with Image.open(make_icons.png_path(REPO / "resources", size)) as image:
            assert image.format == "PNG" and image.size == (size, size) and image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0  # rounded corner: transparent
            assert image.getpixel((size // 2, size // 2))[3] == 255


def test_ico_holds_every_windows_size():
    data = make_icons.ico_path(REPO / "resources").read_bytes()
    with Image.open(io.BytesIO(data)) as ico:
        assert ico.format == "ICO"
        assert ico.info["sizes"] == {(s, s) for s in make_icons.ICO_SIZES}


def test_committed_icons_match_a_fresh_rendering(tmp_path):
    # Fails when the SVG changed and packaging/make_icons.py was not run again.
    make_icons.make_icons(tmp_path)
    for size in make_icons.PNG_SIZES:
        with Image.open(make_icons.png_path(REPO / "resources", size)) as committed, \
                Image.open(make_icons.png_path(tmp_path, size)) as fresh:
            difference = ImageStat.Stat(ImageChops.difference(committed, fresh)).mean
            assert max(difference) < 2.0, (size, difference)
