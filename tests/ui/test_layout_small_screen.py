"""At the default size on a 1280x800 screen (1088x680), with a radiograph's caution and
Window bars: choosing Crop moves nothing (its numbers sit in the status bar), every tool of
the strip is reachable, and Send is above the fold without scrolling."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from ui_support import open_and_wait

from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp


def _burned_in_radiograph(tmp_path):
    ds = dicom_dataset(ramp(1024, 800, 0, 4000), modality="CR", BitsStored=12,
                       WindowCenter=2000, WindowWidth=4000, BurnedInAnnotation="YES")
    path = tmp_path / "burned.dcm"
    path.write_bytes(dicom_bytes(ds))
    return path


def test_choosing_crop_moves_neither_picture_nor_zoom(qtbot, make_window, tmp_path):
    window = make_window(1088, 680)
    open_and_wait(qtbot, window, _burned_in_radiograph(tmp_path))
    qtbot.wait(50)
    canvas = window.canvas
    before = (canvas.mapTo(window, QPoint(0, 0)), canvas.size(), canvas.view.scale)
    window.choose_tool("crop")
    qtbot.wait(50)
    assert window.crop_bar.isVisible()
    assert (canvas.mapTo(window, QPoint(0, 0)), canvas.size(), canvas.view.scale) == before
    right = window.crop_bar.mapTo(window, QPoint(window.crop_bar.width(), 0)).x()
    assert right <= window.width()  # the whole bar, Remove crop included
    window.choose_tool("select")
    qtbot.wait(50)
    assert canvas.mapTo(window, QPoint(0, 0)) == before[0] and canvas.size() == before[1]


def test_send_and_its_result_fit_at_1088x680_beside_a_burned_in_radiograph(
        qtbot, make_window, tmp_path):
    """Send was below the fold and "Sent to …" cut off: the caution and Window bars spanned
    the whole window, the send panel beneath them included."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from send_receive_support import running_ward, sign_in_through_first_run

    from medsnap.ui.messaging_window import attach_messaging

    with running_ward(("Lea Layout", "Consultant"), ("Dr Ben Hughes", "Registrar")) as ward:
        window = make_window(1088, 680)
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
        try:
            sign_in_through_first_run(qtbot, ui, ward.staff["Lea Layout"])
            open_and_wait(qtbot, window, _burned_in_radiograph(tmp_path))
            panel = ui.send_panel
            qtbot.keyClicks(panel.picker.search, "Hughes")
            QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
            panel.show_outcome("✓ Sent to Dr Ben Hughes at 09:41; signed and encrypted.", True)
            qtbot.wait(50)
            assert panel.scroll.verticalScrollBar().value() == 0  # To at the top
            for widget in (panel.send, panel.outcome):  # clipped by nothing
                shown = widget.visibleRegion().boundingRect()
                assert widget.isVisible() and shown == widget.rect(), widget.objectName()
            assert panel.outcome.height() >= panel.outcome.heightForWidth(panel.outcome.width())
        finally:
            ui.shutdown()
