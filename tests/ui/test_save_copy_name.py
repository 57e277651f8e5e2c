"""Save a copy…: the suggested file is of the picture's kind (JPEG for a photograph, PNG for
a screenshot or drawing) under a neutral name, never the source's (it may name a patient)."""

from __future__ import annotations

import os
from datetime import datetime

from PIL import Image
from ui_support import open_and_wait

from medsnap.ui import file_dialogs
from medsnap.ui.sent_preview import suggested_copy_name


def _photo(tmp_path):
    """Camera-like pixels (noise over a gradient), saved under a patient's name."""
    noise = Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3))
    gradient = Image.linear_gradient("L").resize((320, 240)).convert("RGB")
    path = tmp_path / "Jane Smith wound day 3.jpg"
    Image.blend(gradient, noise, 0.3).save(path, quality=90)
    return path


def test_a_photograph_is_offered_as_a_jpeg_under_a_neutral_name(qtbot, make_window, tmp_path,
                                                                monkeypatch):
    window = make_window()
    open_and_wait(qtbot, window, _photo(tmp_path))
    at = datetime(2026, 11, 29, 22, 40)
    assert suggested_copy_name(window.document, at) == "MedSnap copy 2026-11-29 2240.jpg"

    offered = []

    def save_dialog(parent, title, suggested, filters, selected=""):
        """Stands in for the modal dialog (it would block): the clinician keeps the name."""
        offered.append((suggested, selected))
        return str(tmp_path / os.path.basename(suggested)), selected

    monkeypatch.setattr(file_dialogs, "ask_save_file", save_dialog)
    window.sent_preview.save_copy()
    [(suggested, selected)] = offered
    name = os.path.basename(suggested)
    assert name.startswith("MedSnap copy ") and name.endswith(".jpg") and "Smith" not in name
    assert selected.startswith("JPEG")
    target = tmp_path / name
    qtbot.waitUntil(target.exists, timeout=10000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=10000)
    assert target.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG, as the name says


def test_a_screenshot_is_offered_as_a_png(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    name = suggested_copy_name(window.document, datetime(2026, 11, 29, 9, 5))
    assert name == "MedSnap copy 2026-11-29 0905.png"
