""""Patient not identifiable" on a picture MedSnap flagged (text burned into a radiograph, a
page of a letter) asks first every time, Go back the default, saying what was redacted or
cropped. Declarations list the strongest claim last."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from send_receive_support import choose_colleague, running_ward, signed_in_window
from ui_support import drag

from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp


@pytest.fixture
def ultrasound(tmp_path):
    path = tmp_path / "us.dcm"
    path.write_bytes(dicom_bytes(dicom_dataset(ramp(60, 80, 0, 255, np.uint8), modality="US")))
    return path


def _question() -> QMessageBox | None:
    box = QApplication.activeModalWidget()
    return box if isinstance(box, QMessageBox) else None


def test_not_identifiable_on_a_flagged_picture_asks_first(qtbot, make_window, ultrasound):
    with running_ward(("Uma Sound", "Consultant"), ("Dr Ben Hughes", "Registrar")) as ward, \
            signed_in_window(qtbot, make_window, ward, "Uma Sound", ultrasound) as (window, ui):
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "ben")
        assert panel.declaration.itemData(1) == "direct-care"  # one Down: not the claim
        panel.declaration.setCurrentIndex(panel.declaration.findData("not-identifiable"))
        sent: list[str] = []
        ui.binding.queued.connect(sent.append)

        panel.send.click()
        qtbot.waitUntil(lambda: _question() is not None, timeout=5000)
        box = _question()
        assert "burned into its pixels" in box.text()
        QTest.keyClick(box, Qt.Key.Key_Return)  # the default: Go back
        qtbot.waitUntil(lambda: _question() is None, timeout=5000)
        qtbot.wait(300)
        assert sent == []

        # one small box in an empty corner does not make it unidentifiable: asked again, and
        # the question says what was done
        drag(window, "redaction", (5, 5), (30, 20))
        panel.send.setFocus()
        QTest.keyClick(panel.send, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: _question() is not None, timeout=5000)
        box = _question()
        assert "1 area redacted" in box.text() and "check that no name" in box.text()
        [anyway] = [b for b in box.buttons() if b.text() == "Send as not identifiable"]
        with qtbot.waitSignal(ui.binding.queued, timeout=20000):
            anyway.click()
        qtbot.wait(100)
        # Send disabled itself: the keyboard goes back to the picture, not the zoom box
        assert window.focusWidget() is window.canvas


def test_which_pictures_are_flagged():
    from PIL import Image

    from medsnap.document.edits import SetCrop
    from medsnap.document.geometry import Rect
    from medsnap.document.model import Document
    from medsnap.imaging import Picture
    from medsnap.ui.identifiable_guard import identifying_reason

    def document(source_format: str) -> Document:
        return Document(Picture(image=Image.new("RGB", (100, 80)), page=0, page_count=3,
                                source_format=source_format))

    letter = document("PDF")
    assert "letter" in identifying_reason(letter)
    SetCrop(None, Rect(10, 10, 50, 20)).apply(letter)  # cropped to a sentence: still asked,
    assert "letter" in identifying_reason(letter)  # the crop may hold the name too
    scan = document("TIFF")  # a multi-page scan is a letter too
    assert "scanned document of 3 pages" in identifying_reason(scan)
    photo = document("PNG")  # nothing known about a photo: asked only while nothing on it is
    assert identifying_reason(photo).startswith("Nothing on it is redacted or cropped")  # done
    SetCrop(None, Rect(10, 10, 50, 20)).apply(photo)
    assert identifying_reason(photo) == ""


def test_the_question_goes_with_a_lock(qtbot, make_window, ultrasound):
    """Left open, it could be answered behind the lock screen, or by the next clinician."""
    with running_ward(("Lou Locke", "Consultant"), ("Dr Ben Hughes", "Registrar")) as ward, \
            signed_in_window(qtbot, make_window, ward, "Lou Locke", ultrasound) as (_w, ui):
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "ben")
        panel.declaration.setCurrentIndex(panel.declaration.findData("not-identifiable"))
        panel.send.click()
        qtbot.waitUntil(lambda: _question() is not None, timeout=5000)
        box = _question()
        ui.binding.lock("asked")
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
        sent: list[str] = []
        ui.binding.queued.connect(sent.append)
        ui._send_requested({"to": ward.staff["Dr Ben Hughes"], "note": "", "priority": "normal",
                            "expires_days": 14, "declaration": "direct-care",
                            "declared_knowingly": True})  # as a late answer would
        qtbot.wait(300)
        assert sent == []  # nothing goes while locked


def test_not_identifiable_on_a_screenshot_with_nothing_redacted_asks_first(qtbot, make_window,
                                                                          tmp_path):
    """NU5: an EHR screenshot with the name, date of birth and NHS number in plain view went
    as "Patient not identifiable" with no question; now it is asked while nothing on it is
    redacted or cropped, and not once something is."""
    from PIL import Image, ImageDraw

    screenshot = tmp_path / "ehr.png"
    picture = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(picture).text((10, 10), "JOHN SMITHSON  NHS 943 476 5919", fill="black")
    picture.save(screenshot)
    with running_ward(("Sid Shot", "Registrar"), ("Dr Ben Hughes", "Consultant")) as ward, \
            signed_in_window(qtbot, make_window, ward, "Sid Shot", screenshot) as (window, ui):
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "ben")
        panel.declaration.setCurrentIndex(panel.declaration.findData("not-identifiable"))
        sent: list[str] = []
        ui.binding.queued.connect(sent.append)
        panel.send.click()
        qtbot.waitUntil(lambda: _question() is not None, timeout=5000)
        box = _question()
        assert box.text().count("redacted or cropped") == 1 and "face" in box.text()
        QTest.keyClick(box, Qt.Key.Key_Return)  # Go back
        qtbot.waitUntil(lambda: _question() is None, timeout=5000)
        assert sent == []

        drag(window, "redaction", (5, 5), (300, 30))  # the banner blacked out: not asked
        with qtbot.waitSignal(ui.binding.queued, timeout=20000):
            panel.send.click()
        assert _question() is None
