"""DicomControls binds a DicomInfo to widgets and widget changes to signals, without echo."""

from __future__ import annotations

import numpy as np
import pytest

from medsnap.imaging import load_picture
from medsnap.imaging.source_info import WINDOW_PRESETS, DicomInfo
from medsnap.ui.dicom_controls import DicomControls
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp


def info(**changes) -> DicomInfo:
    values = dict(modality="CT", photometric="MONOCHROME2", bits_stored=12, frame_count=1,
                  own_window=(50.0, 350.0), window=(50.0, 350.0), value_range=(-1024, 3071),
                  burned_in=False)
    values.update(changes)
    return DicomInfo(**values)


@pytest.fixture
def controls(qapp, qtbot):
    widget = DicomControls()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_show_info_sets_widgets_without_emitting(controls, qtbot):
    with qtbot.assertNotEmitted(controls.window_changed), \
            qtbot.assertNotEmitted(controls.frame_changed):
        controls.show_info(info(frame_count=4), frame=2)
    assert controls.preset.currentData() == "own"
    assert (controls.center.value(), controls.width.value()) == (50.0, 350.0)
    assert controls.frame.value() == 3 and controls.frame.isVisible()
    assert not controls.warning.isVisible()
    assert controls.current_window() is None


@pytest.mark.parametrize("preset", sorted(WINDOW_PRESETS))
def test_preset_emits_its_window(controls, qtbot, preset):
    controls.show_info(info())
    with qtbot.waitSignal(controls.window_changed) as emitted:
        controls.preset.setCurrentIndex(controls.preset.findData(preset))
    assert emitted.args == [WINDOW_PRESETS[preset]]
    assert (controls.center.value(), controls.width.value()) == WINDOW_PRESETS[preset]


def test_typed_numbers_become_custom_and_own_returns_none(controls, qtbot):
    controls.show_info(info())
    with qtbot.waitSignal(controls.window_changed) as emitted:
        controls.width.setValue(900)
    assert emitted.args == [(50.0, 900.0)] and controls.preset.currentData() == "custom"
    with qtbot.waitSignal(controls.window_changed) as emitted:
        controls.preset.setCurrentIndex(0)
    assert emitted.args == [None] and controls.width.value() == 350.0


def test_frame_signal_is_zero_based(controls, qtbot):
    controls.show_info(info(frame_count=5))
    with qtbot.waitSignal(controls.frame_changed) as emitted:
        controls.frame.setValue(4)
    assert emitted.args == [3]
    controls.show_info(info(frame_count=1))
    assert not controls.frame.isVisible()


def test_burned_in_warning_points_to_redaction(controls, qtbot):
    picture = load_picture(dicom_bytes(dicom_dataset(ramp(4, 8, 0, 7), modality="US")))
    controls.show_info(picture.dicom)
    assert controls.warning.isVisible()
    assert "redaction tool" in controls.warning_text.text()
    assert "ultrasound" in controls.warning_text.text()
    with qtbot.waitSignal(controls.redaction_requested):
        controls.redact_button.click()


def test_colour_image_disables_window(controls):
    controls.show_info(info(photometric="RGB", window=None, own_window=None))
    assert not controls.preset.isEnabled() and not controls.width.isEnabled()


def test_a_colour_picture_after_a_radiograph_shows_no_window_numbers(controls, qtbot):
    """The disabled bar showed the previous file's "Centre 3500.0 Width 400.0"."""
    controls.show_info(info(window=(3500.0, 400.0), own_window=(3500.0, 400.0)))
    assert controls.center.text() == "3500.0"
    with qtbot.assertNotEmitted(controls.window_changed):
        controls.show_info(info(photometric="RGB", window=None, own_window=None))
    assert controls.center.text() == "—" and controls.width.text() == "—"


def test_emitted_window_renders_as_the_preset(controls, qtbot):
    """End to end: the emitted window, given back to the loader, maps values by it."""
    data = dicom_bytes(dicom_dataset(ramp(2, 4096, 0, 4095), RescaleIntercept=-1024,
                                     RescaleSlope=1, BitsStored=12))
    controls.show_info(load_picture(data).dicom)
    with qtbot.waitSignal(controls.window_changed) as emitted:
        controls.preset.setCurrentIndex(controls.preset.findData("lung"))
    row = np.asarray(load_picture(data, window=emitted.args[0]).image)[0]
    # lung (-600 / 1500): stored 0 is -1024 HU, grey 55; -600 HU mid-grey; 150 HU and up white
    assert row[0] == 55 and row[1024 - 600] in (127, 128)
    assert row[1024 + 100] == 247 and (row[1024 + 150:] == 255).all()


def test_overlays_box_is_seen_only_for_files_with_overlays(controls, qtbot):
    controls.show_info(info())
    assert not controls.overlays.isVisible() and controls.overlays_shown()
    controls.show_info(info(overlay_count=2, overlays_shown=True))
    assert controls.overlays.isVisible()
    with qtbot.waitSignal(controls.overlays_changed) as emitted:
        controls.overlays.setChecked(False)
    assert emitted.args == [False] and not controls.overlays_shown()
    with qtbot.assertNotEmitted(controls.overlays_changed):
        controls.reset_overlays()
    assert controls.overlays_shown()


def test_putting_a_picture_away_clears_its_size_and_zoom(qtbot, make_window, grey_png):
    """After Switch user the next clinician saw "723 × 816 px (crop of …)" and 58%."""
    from ui_support import drag, open_and_wait

    window = make_window(1000, 700)
    open_and_wait(qtbot, window, grey_png)
    drag(window, "crop", (10, 10), (200, 150))
    assert "crop of" in window.status.size_label.text()
    assert window.status.zoom.currentText().endswith("%")
    window.close_document()
    assert window.status.size_label.text() == "" and window.status.zoom.currentText() == ""
