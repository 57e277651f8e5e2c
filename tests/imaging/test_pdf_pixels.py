"""The pixels MedSnap shows for a PDF page are exactly the ones pypdfium2 draws itself.

MedSnap asks PDFium for 4-byte RGBx rows drawn into shared memory and copies them once into
an RGB Pillow image; pypdfium2's usual render (3-byte RGB, ``to_pil``) is the reference. A
wrong stride, channel order or pixel format shows up as a difference. Pages cover text, a
scanned JPEG, a filled-in form field, transparency (constant alpha, Multiply, a knockout
group, a soft mask, a translucent annotation), a rotated page and odd page widths.
"""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pytest

from medsnap.imaging import pdf_worker
from medsnap.imaging.pdf import load_pdf_picture, render_thumbnail
from tests.imaging.record_fixtures import _pdf, _stream, pdf_form, pdf_letter

_TRANSPARENT_CONTENT = (
    b"q /Half gs 1 0 0 rg 72 500 300 200 re f Q\n"
    b"q /Multiply gs 0 0 1 rg 200 450 300 200 re f Q\n"
    b"q /Group Do Q\n"
    b"q 200 0 0 150 100 100 cm /Masked Do Q\n"
    b"BT /F1 20 Tf 72 750 Td (MSREC translucent page) Tj ET")


def transparent_page(size: tuple[int, int] = (595, 842), rotate: int = 0) -> bytes:
    """One page of translucent fills, a knockout group, a soft-masked image, an annotation."""
    soft_mask = bytes(range(0, 256, 4)) * 64  # 64 x 64 grey ramp
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Rotate %d /Contents 4 0 R "
        b"/Annots [9 0 R] /Resources << /Font << /F1 5 0 R >> /ExtGState << "
        b"/Half << /ca 0.5 >> /Multiply << /ca 0.7 /BM /Multiply >> >> "
        b"/XObject << /Group 6 0 R /Masked 7 0 R >> >> >>" % (*size, rotate),
        _stream(_TRANSPARENT_CONTENT),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(b"0 1 0 rg 300 300 150 150 re f 0.5 g 350 350 150 150 re f",
                b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << >> "
                b"/Group << /S /Transparency /I true /K true >> "),
        _stream(bytes([200, 30, 30]) * 64 * 64,
                b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /SMask 8 0 R "),
        _stream(soft_mask, b"/Type /XObject /Subtype /Image /Width 64 /Height 64 "
                           b"/ColorSpace /DeviceGray /BitsPerComponent 8 "),
        b"<< /Type /Annot /Subtype /Square /Rect [50 50 250 90] /C [1 0.5 0] /CA 0.4 "
        b"/IC [1 1 0] /Border [0 0 4] /F 4 >>",
        b"<< /Title (translucent) >>"])


def reference(data: bytes, page: int, scale: float) -> np.ndarray:
    """pypdfium2's own render of the page, forms included (as MedSnap opens them)."""
    document = pdfium.PdfDocument(data)
    try:
        document.init_forms()
        return np.asarray(document[page].render(scale=scale, rev_byteorder=True).to_pil())
    finally:
        document.close()


def assert_same_pixels(image, expected: np.ndarray) -> None:
    assert image.mode == "RGB" and image.size == expected.shape[1::-1]
    shown = np.asarray(image)
    differing = int((shown != expected).any(axis=-1).sum())
    assert differing == 0, f"{differing} pixels differ from pypdfium2's render"
    # Qt's RGBX8888 reads Pillow's padding byte: it must be opaque (0xFF) everywhere
    padding = np.frombuffer(image.tobytes("raw", "RGBX"), np.uint8)[3::4]
    assert (padding == 255).all()


@pytest.fixture(autouse=True, scope="module")
def no_child_left():
    yield
    pdf_worker.shutdown()


LETTER = pdf_letter(3, scanned_page=1)
CASES = {
    "text": (LETTER, 0), "scanned": (LETTER, 1), "form": (pdf_form("MSREC Jane Doe"), 0),
    "translucent": (transparent_page(), 0),
    "rotated, odd width": (transparent_page((301, 433), rotate=90), 0),
    "odd width": (pdf_letter(1, scanned_page=0, size=(299, 421)), 0),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("child", [True, False], ids=["child", "here"])
def test_page_equals_pypdfium2s_own_render(case, child):
    data, page = CASES[case]
    dpi = 200 if case != "odd width" else 97  # 97 dpi: widths that are not a multiple of 4
    picture = load_pdf_picture(data, page=page, dpi=dpi, time_limit=30.0 if child else None)
    assert_same_pixels(picture.image, reference(data, page, dpi / 72))


def test_a_page_larger_than_the_shared_segment_comes_over_the_pipe_unchanged():
    data = transparent_page()
    pdf_worker.shutdown()  # a fresh child, with the first (16 MiB) segment
    first = load_pdf_picture(data, dpi=300)  # 2481 x 3508 RGBx rows: 35 MB
    assert_same_pixels(first.image, reference(data, 0, 300 / 72))
    again = load_pdf_picture(data, dpi=300)  # now drawn in the grown segment
    assert again.image.tobytes() == first.image.tobytes()


def test_thumbnail_equals_pypdfium2s_own_render():
    data = transparent_page((301, 433), rotate=90)
    thumbnail = render_thumbnail(data, 0, longest_side=160)
    assert max(thumbnail.size) == 160
    assert_same_pixels(thumbnail, reference(data, 0, 160 / 433))
