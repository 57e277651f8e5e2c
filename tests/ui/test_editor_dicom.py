"""The editor with a DICOM radiograph: window/level and frame swap the picture in place
(annotations stay, the undo history is untouched), cautions show in a calm bar, and the
controls disappear for ordinary pictures."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from medsnap.imaging import load_picture
from medsnap.imaging.source_info import WINDOW_PRESETS
from medsnap.render import render
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp
from ui_support import open_and_wait
from tests.ui.test_editor_tools import drag


@pytest.fixture
def ct_file(tmp_path):
    ds = dicom_dataset(ramp(200, 300, 0, 4095), modality="CT", BitsStored=12,
                       RescaleSlope=1, RescaleIntercept=-1024,
                       WindowCenter=50, WindowWidth=350)
    path = tmp_path / "IM0001"  # PACS exports often have no extension
    path.write_bytes(dicom_bytes(ds))
    return path


def grey_row(picture) -> list[int]:
    assert picture.image.mode == "L"
    return np.asarray(picture.image)[0].tolist()


def no_modal_open() -> bool:
    return not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, (QDialog, QMessageBox)) and w.isVisible()]


def test_window_preset_swaps_pixels_and_keeps_annotations(qtbot, make_window, ct_file):
    window = make_window()
    open_and_wait(qtbot, window, ct_file)
    controls = window.dicom.controls
    assert window.dicom.toolbar.isVisible() and controls.preset.currentData() == "own"
    window.canvas.zoom_to(1.0)
    drag(window, "rectangle", (20, 20), (120, 120))
    assert len(window.document.annotations) == 1 and window.undo_stack.count() == 1
    before = window.document.picture

    with qtbot.waitSignal(window.picture_swapped, timeout=10000):
        controls.preset.setCurrentIndex(controls.preset.findData("bone"))
    expected = load_picture(ct_file, window=WINDOW_PRESETS["bone"])
    assert window.document.picture is not before
    assert grey_row(window.document.picture) == grey_row(expected)
    assert window.document.picture.dicom.window == WINDOW_PRESETS["bone"]
    # not an edit: the drawing and its history are untouched
    assert len(window.document.annotations) == 1 and window.undo_stack.count() == 1
    assert window.canvas.pyramid.full_width == 300
    # what is exported is the re-windowed picture with the rectangle on it
    exported = render(window.document)
    assert exported.pixelColor(250, 190).red() == grey_row(expected)[250]

    with qtbot.waitSignal(window.picture_swapped, timeout=10000):
        controls.preset.setCurrentIndex(0)  # back to the file's own window
    assert grey_row(window.document.picture) == grey_row(load_picture(ct_file))


def test_frame_choice_shows_that_frame(qtbot, make_window, tmp_path):
    frames = np.stack([np.full((40, 60), 50 * n, np.uint8) for n in range(4)])
    path = tmp_path / "cine.dcm"
    path.write_bytes(dicom_bytes(dicom_dataset(frames, frames=4, WindowCenter=127.5,
                                               WindowWidth=256)))
    window = make_window()
    open_and_wait(qtbot, window, path)
    controls = window.dicom.controls
    assert controls.frame.isVisible() and controls.frame.maximum() == 4
    with qtbot.waitSignal(window.picture_swapped, timeout=10000):
        controls.frame.setValue(3)  # 1-based in the widget
    assert window.document.picture.page == 2
    assert grey_row(window.document.picture) == grey_row(load_picture(path, frame=2))
    assert window.dicom.frame == 2


def test_burned_in_caution_is_a_calm_bar_that_leads_to_redaction(qtbot, make_window,
                                                                   tmp_path, grey_png):
    path = tmp_path / "us.dcm"
    path.write_bytes(dicom_bytes(dicom_dataset(ramp(60, 80, 0, 255, np.uint8), modality="US")))
    window = make_window()
    open_and_wait(qtbot, window, path)
    bar = window.dicom.info_bar
    assert window.dicom.notes_toolbar.isVisible() and bar.isVisible()
    assert bar.text.text() == window.document.picture.warnings[0]
    assert "redaction tool" in bar.text.text()
    assert not window.dicom.controls.warning.isVisible()  # said once, not twice
    assert no_modal_open()
    bar.action.click()
    assert window.tool_strip.tool_id == "redaction"
    assert window.canvas.tool.tool_id == "redaction"

    # an ordinary picture next: no radiograph controls, no caution
    open_and_wait(qtbot, window, grey_png)
    assert not window.dicom.toolbar.isVisible()
    assert not window.dicom.notes_toolbar.isVisible()
    assert window.dicom.source is None


def test_putting_a_radiograph_away_takes_its_controls_and_samples_with_it(qtbot, make_window,
                                                                          tmp_path):
    # Switch user empties the editor: the next clinician must not find the last one's
    # radiograph toolbar, caution or decoded samples.
    path = tmp_path / "us.dcm"
    path.write_bytes(dicom_bytes(dicom_dataset(ramp(60, 80, 0, 255, np.uint8), modality="US")))
    window = make_window()
    open_and_wait(qtbot, window, path)
    assert window.dicom.toolbar.isVisible() and window.dicom.source is not None
    window.close_document()
    assert window.document is None and window.dicom.source is None
    assert not window.dicom.toolbar.isVisible()
    assert not window.dicom.notes_toolbar.isVisible()


def test_caution_can_be_dismissed_and_controls_request_redaction(qtbot, make_window,
                                                                 tmp_path):
    path = tmp_path / "sc.dcm"
    path.write_bytes(dicom_bytes(dicom_dataset(ramp(60, 80, 0, 255, np.uint8),
                                               BurnedInAnnotation="YES")))
    window = make_window()
    open_and_wait(qtbot, window, path)
    window.dicom.info_bar.close_button.click()
    assert not window.dicom.notes_toolbar.isVisible()
    window.choose_tool("select")
    window.dicom.controls.redaction_requested.emit()
    assert window.tool_strip.tool_id == "redaction"


def test_ordinary_pictures_build_no_dicom_widgets(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    assert window.dicom.controls is None and window.dicom.info_bar is None


def test_typing_a_negative_centre_is_not_taken_by_zoom_or_tool_keys(qtbot, make_window,
                                                                     ct_file):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = make_window()
    open_and_wait(qtbot, window, ct_file)
    centre = window.dicom.controls.center
    scale, tool = window.canvas.scale, window.tool_strip.tool_id
    centre.setFocus()
    centre.selectAll()
    with qtbot.waitSignal(window.picture_swapped, timeout=10000):
        QTest.keyClicks(centre, "-600")  # "-" zooms out and letters pick tools elsewhere
        QTest.keyClick(centre, Qt.Key.Key_Return)
    assert window.document.picture.dicom.window == (-600.0, 350.0)
    assert window.canvas.scale == scale and window.tool_strip.tool_id == tool


def test_overlays_are_shown_and_can_be_left_out_keeping_the_window(qtbot, make_window,
                                                                   tmp_path):
    from tests.imaging.record_fixtures import add_overlay

    bits = np.ones((3, 40), np.uint8)
    ds = add_overlay(dicom_dataset(ramp(60, 80, 0, 1000), WindowCenter=500, WindowWidth=1001),
                     bits, origin=(11, 21))
    path = tmp_path / "IM0003"
    path.write_bytes(dicom_bytes(ds))
    window = make_window()
    open_and_wait(qtbot, window, path)
    controls, bar = window.dicom.controls, window.dicom.info_bar
    assert controls.overlays.isVisible() and controls.overlays.isChecked()
    assert window.document.picture.dicom.overlays_shown
    assert "overlay" in bar.text.text() and bar.isVisible()
    assert (np.asarray(window.document.picture.image)[10:13, 20:60] == 255).all()
    with qtbot.waitSignal(window.picture_swapped, timeout=10000):
        controls.preset.setCurrentIndex(controls.preset.findData("bone"))
    with qtbot.waitSignal(window.picture_swapped, timeout=10000):
        controls.overlays.setChecked(False)
    picture = window.document.picture
    assert not picture.dicom.overlays_shown and picture.dicom.window == WINDOW_PRESETS["bone"]
    assert grey_row(picture) == grey_row(load_picture(path, window=WINDOW_PRESETS["bone"],
                                                      overlays=False))
    assert np.array_equal(np.asarray(picture.image), np.asarray(
        load_picture(path, window=WINDOW_PRESETS["bone"], overlays=False).image))
    assert not window.dicom.notes_toolbar.isVisible()  # nothing left to caution about
    # a fresh file shows its overlays again
    open_and_wait(qtbot, window, path)
    assert controls.overlays.isChecked() and window.document.picture.dicom.overlays_shown
