"""What the editor says it opens matches what it reads: the File › Open status tip and the
desktop entry's MimeType name PDF letters, DICOM radiographs and GIF too (the README promises
them; desktop-file-validate is run on the entry by tests/packaging/test_desktop_entry.py)."""

from __future__ import annotations

from pathlib import Path

ENTRY = Path(__file__).resolve().parents[2] / "resources" / "linux" / "org.medsnap.MedSnap.desktop"


def test_open_status_tip_names_every_kind_it_reads(qtbot, make_window):
    window = make_window()
    tip = window.actions.open.statusTip()
    for kind in ("PNG", "JPEG", "TIFF", "WebP", "BMP", "GIF", "PDF", "DICOM"):
        assert kind in tip, (kind, tip)


def test_desktop_entry_offers_gif_and_dicom():
    line = next(x for x in ENTRY.read_text().splitlines() if x.startswith("MimeType="))
    types = set(line.removeprefix("MimeType=").strip(";").split(";"))
    assert {"image/gif", "application/dicom", "application/pdf", "image/tiff"} <= types
