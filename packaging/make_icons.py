"""Render the app icon SVG to the PNG sizes desktops want and a multi-size Windows ICO.

    .venv/bin/python packaging/make_icons.py            # writes into resources/
    .venv/bin/python packaging/make_icons.py --out DIR  # writes elsewhere (tests compare)

Uses QtSvg + QtGui on the offscreen platform (no display needed). The outputs are small and
committed; run this again whenever resources/icons/medsnap.svg changes.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE_SVG = REPO / "resources" / "icons" / "medsnap.svg"
APP_ID = "org.medsnap.MedSnap"
PNG_SIZES = (16, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(root: Path, size: int) -> Path:
    """Where a size lives, laid out as the hicolor theme it is installed into."""
    return root / "linux" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def ico_path(root: Path) -> Path:
    return root / "windows" / "medsnap.ico"


def render_png(svg: Path, size: int) -> bytes:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO whose entries are PNG images (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def make_icons(out: Path, svg: Path = SOURCE_SVG) -> list[Path]:
    pngs = {size: render_png(svg, size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    written = []
    for size in PNG_SIZES:
        target = png_path(out, size)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    ico = ico_path(out)
    ico.parent.mkdir(parents=True, exist_ok=True)
    ico.write_bytes(build_ico({size: pngs[size] for size in ICO_SIZES}))
    written.append(ico)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "resources", help="resources folder to write into")
    parser.add_argument("--svg", type=Path, default=SOURCE_SVG, help="source SVG")
    args = parser.parse_args(argv)
    for path in make_icons(args.out, args.svg):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
