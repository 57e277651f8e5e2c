"""Benchmark opening PDF letters and DICOM radiographs against their libraries' own floors.

  pdf first page   medsnap load_picture(page 0, 200 dpi)  vs  pypdfium2: open, render page 0
  pdf all pages    load_picture for each of 20 pages       vs  pypdfium2: open once, render 20
  (context)        the same                                vs  the same drawn in RGBx, which
                                                               Pillow wraps without a copy
  dicom            load_picture of a 2048 x 2500 16-bit    vs  pydicom: dcmread + pixel_array
                   file (uncompressed and JPEG-LS)             (pydicom's own decode)
  (context)        the same load_picture                   vs  pydicom decode + its own
                                                               apply_modality_lut/apply_voi_lut
  re-window        DicomImage.picture(new window) on the   vs  pydicom apply_modality_lut +
                   decoded frame (what the toolbar does)       apply_voi_lut, same window
  (+ display)      the same plus the canvas's pyramid      vs  the same
The PDF floor is pypdfium2's usual render (3-byte RGB on white) + to_pil. MedSnap asks
PDFium for RGBx (it draws 4-byte pixels faster, same colours) and copies it once into an RGB
image; the context rows give pypdfium2 that format too, and no copy at all (an RGBX image
over PDFium's buffer, which the editor could not keep): the lowest floor there is.

A DICOM open ends when the 8-bit grey picture the editor paints exists: content sniffing,
the header, the samples (uncompressed, with the file's own window: read straight from the
file strip by strip into small buffers, each strip windowed as it is read; two threads,
each with its own half of the rows, when two cores are free), the window table looked up
for every sample, overlays and burned-in checks; pydicom's floor ends with its 16-bit array. The floor's time swings with
the memory it reads its 10 MB into (fresh pages to fault in, or pages freed by the other
variants): 3.5-7 ms on this file, so compare ratios over several runs.

Our side includes what the floor does not: content sniffing, the window/level mapping to
the 8-bit grey Picture the editor needs (DICOM); for PDF, reopening the document for each
page (the API renders one page per call), filled-in form fields, and the hop to the PDFium
child process that enforces the time and memory limits (started during the warm-up round,
as in the app). Imports happen before the clock. Each variant runs N times round-robin;
medians are printed with ratios. Goal: within 1.3x.

    .venv/bin/python benchmarks/records_bench.py [--runs N] [--only dicom]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, pdf_letter  # noqa: E402

PAGES, DPI, SCALE = 20, 200, 200 / 72
ROWS, COLUMNS = 2500, 2048


def radiograph() -> np.ndarray:
    """A smooth 12-bit field with noise: compresses like a real radiograph, not like a ramp."""
    rng = np.random.default_rng(9)
    y, x = np.mgrid[0:ROWS, 0:COLUMNS]
    field = 1800 + 1200 * np.sin(x / 300.0) * np.cos(y / 410.0)
    return np.clip(field + rng.normal(0, 40, field.shape), 0, 4095).astype(np.uint16)


def make_files(folder: Path) -> dict[str, Path]:
    from pydicom.uid import JPEGLSLossless

    files = {"pdf": folder / "letter.pdf"}
    files["pdf"].write_bytes(pdf_letter(PAGES, scanned_page=PAGES // 2))
    pixels = radiograph()
    for key, syntax in (("dicom", None), ("dicom-jpegls", JPEGLSLossless)):
        ds = dicom_dataset(pixels, BitsStored=12, RescaleSlope=1, RescaleIntercept=-1024,
                           WindowCenter=800, WindowWidth=3000)
        if syntax:
            ds.compress(syntax)
        files[key] = folder / key
        files[key].write_bytes(dicom_bytes(ds))
    return files


def variants(files: dict[str, Path]):
    import pydicom
    import pypdfium2 as pdfium

    from medsnap.imaging import load_picture

    def floor_first():
        document = pdfium.PdfDocument(str(files["pdf"]))
        document[0].render(scale=SCALE, rev_byteorder=True).to_pil()
        document.close()

    def floor_all():
        document = pdfium.PdfDocument(str(files["pdf"]))
        for page in range(len(document)):
            document[page].render(scale=SCALE, rev_byteorder=True).to_pil()
        document.close()

    def floor_rgbx(pages):
        def work():
            document = pdfium.PdfDocument(str(files["pdf"]))
            for page in pages:
                bitmap = document[page].render(scale=SCALE, rev_byteorder=True,
                                                prefer_bgrx=True)
                bitmap.to_pil()
            document.close()
        return work

    def ours_all():
        for page in range(PAGES):
            load_picture(files["pdf"], page=page, dpi=DPI)

    def dicom_floor(key):
        return lambda: pydicom.dcmread(str(files[key])).pixel_array

    def pydicom_windowed(key):
        """For context: pydicom doing our job (decode, rescale, window) with its own API."""
        from pydicom.pixels import apply_modality_lut, apply_voi_lut

        def work():
            ds = pydicom.dcmread(str(files[key]))
            apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)
        return work

    def dicom_ours(key):
        return lambda: load_picture(files[key])

    from medsnap.imaging.dicom import DicomImage
    from medsnap.ui.pyramid import Pyramid

    kept = DicomImage(files["dicom"])
    decoded = pydicom.dcmread(str(files["dicom"]))
    stored = decoded.pixel_array
    windows = iter(((300.0 + n % 50, 1500.0 + n % 7) for n in range(1 << 30)))

    def rewindow(display: bool):
        def work():
            picture = kept.picture(0, next(windows))
            if display:
                Pyramid.build(picture.image)
        return work

    def pydicom_rewindow():
        from pydicom.pixels import apply_modality_lut, apply_voi_lut

        decoded.WindowCenter, decoded.WindowWidth = next(windows)
        apply_voi_lut(apply_modality_lut(stored, decoded), decoded)

    return {
        "pdf first page": (lambda: load_picture(files["pdf"], page=0, dpi=DPI), floor_first),
        f"pdf all {PAGES} pages": (ours_all, floor_all),
        "  context: RGBx, no copy": (lambda: load_picture(files["pdf"], page=0, dpi=DPI),
                                     floor_rgbx([0])),
        "  context: all, RGBx, no copy": (ours_all, floor_rgbx(range(PAGES))),
        "dicom 2048x2500 16-bit": (dicom_ours("dicom"), dicom_floor("dicom")),
        "  context: pydicom windowing": (dicom_ours("dicom"), pydicom_windowed("dicom")),
        "dicom same, JPEG-LS": (dicom_ours("dicom-jpegls"), dicom_floor("dicom-jpegls")),
        "dicom re-window": (rewindow(False), pydicom_rewindow),
        "  dicom re-window + display": (rewindow(True), pydicom_rewindow),
    }


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="", help="only the variants whose name has this, "
                        "e.g. dicom")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        table = {name: pair for name, pair in variants(make_files(Path(folder))).items()
                 if args.only in name}
        for ours, floor in table.values():  # warm caches and lazy imports
            ours(), floor()
        times = {name: ([], []) for name in table}
        for run in range(args.runs):
            for name, (ours, floor) in table.items():
                pair = ((0, ours), (1, floor)) if run % 2 else ((1, floor), (0, ours))
                for side, work in pair:  # alternate who goes first (caches, allocator)
                    times[name][side].append(timed(work))
    print(f"{'variant':28} {'medsnap':>10} {'floor':>10} {'ratio':>7}   (median of {args.runs})")
    for name, (ours, floor) in times.items():
        mine, base = statistics.median(ours), statistics.median(floor)
        print(f"{name:28} {mine * 1000:8.1f}ms {base * 1000:8.1f}ms {mine / base:6.2f}x")


if __name__ == "__main__":
    main()
