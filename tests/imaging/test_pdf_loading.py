"""PDF letters: pages, resolution, passwords (qpdf-encrypted), damage, the pixel ceiling."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from medsnap.errors import ImageError
from medsnap.imaging import load_picture
from medsnap.imaging.pdf import page_count, render_thumbnails
from medsnap.imaging.record_errors import PdfPasswordRequired, WrongPdfPassword
from tests.imaging.record_fixtures import encrypted_pdf, pdf_letter


@pytest.fixture(scope="module")
def letter() -> bytes:
    return pdf_letter(4, scanned_page=2)


def test_default_is_200_dpi_and_page_count(letter, tmp_path):
    path = tmp_path / "letter"  # no extension: content decides
    path.write_bytes(letter)
    picture = load_picture(path)
    assert (picture.width, picture.height) == (1653, 2339)  # A4 at 200 dpi
    assert picture.page_count == 4 and picture.page == 0
    assert picture.source_format == "PDF" and picture.image.mode == "RGB"
    assert picture.pdf.dpi == 200 and not picture.pdf.encrypted
    assert picture.image.info == {}


def test_dpi_scales_the_raster(letter):
    small = load_picture(letter, dpi=72)
    assert (small.width, small.height) == (595, 842)
    assert load_picture(letter, dpi=300).width == 2480


def test_pages_differ_and_the_scanned_page_shows_its_image(letter):
    text_page = np.asarray(load_picture(letter, page=0, dpi=72).image)
    scanned = np.asarray(load_picture(letter, page=2, dpi=72).image)
    assert (text_page[:40] == 255).all()  # white margin above the text
    # the scan's paper colour fills the page (245, 242, 235), not PDF white
    assert abs(scanned[5, 5].astype(int) - (245, 242, 235)).max() <= 3
    assert (text_page < 128).any()  # black text was drawn


def test_missing_page_names_the_range(letter):
    with pytest.raises(ImageError, match="has 4 pages; page 5 does not exist"):
        load_picture(letter, page=4)


def test_ceiling_applies_to_rendered_size_and_suggests_a_dpi(letter):
    with pytest.raises(ImageError, match=r"Choose (\d+) dpi or less") as caught:
        load_picture(letter, dpi=400, max_pixels=10_000_000)
    suggested = int(caught.value.message.split("Choose ")[1].split(" dpi")[0])
    assert load_picture(letter, dpi=suggested, max_pixels=10_000_000).width > 0
    with pytest.raises(ImageError):
        load_picture(letter, dpi=suggested + 2, max_pixels=10_000_000)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (Debian package) is missing")
def test_password_is_asked_for_then_checked(tmp_path):
    path = encrypted_pdf(tmp_path / "protected.pdf", "Ward7-Secret")
    with pytest.raises(PdfPasswordRequired, match="protected by a password"):
        load_picture(path)
    with pytest.raises(WrongPdfPassword, match="does not open"):
        load_picture(path, password="ward7-secret")
    picture = load_picture(path, password="Ward7-Secret", page=1, dpi=72)
    assert picture.pdf.encrypted and picture.page_count == 2
    assert page_count(path, password="Ward7-Secret") == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "no_pages"])
def test_malformed_pdf_is_a_plain_image_error(letter, damage):
    data = {"garbage": b"%PDF-1.7\n" + bytes(range(256)) * 8,
            "truncated": letter[:300],
            "no_pages": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R"
                        b" >>\n%%EOF"}[damage]
    with pytest.raises(ImageError) as caught:
        load_picture(data)
    assert "Traceback" not in caught.value.message
    assert "nothing was sent or saved" in caught.value.message


def test_out_of_range_dpi_is_refused(letter):
    with pytest.raises(ImageError, match="outside 36-1200 dpi"):
        load_picture(letter, dpi=5)


def test_thumbnails_fit_the_longest_side(letter):
    thumbs = list(render_thumbnails(letter, longest_side=120))
    assert [number for number, _ in thumbs] == [0, 1, 2, 3]
    assert all(max(image.size) == 120 for _, image in thumbs)


def test_filled_in_form_fields_are_drawn():
    """A referral form's typed-in values are what the clinician sees and must be able to
    redact; they are drawn into the raster like any other text."""
    from tests.imaging.record_fixtures import pdf_form

    pixels = np.asarray(load_picture(pdf_form("MSREC FORM VALUE"), dpi=72).image)
    field = pixels[842 - 440:842 - 400, 72:500]
    assert (field < 128).sum() > 500
    assert (pixels[:842 - 440] == 255).all()  # nothing else on the page
