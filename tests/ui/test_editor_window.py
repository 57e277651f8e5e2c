"""The window's own behaviour: undo/redo, zoom and pan, crop, select/move/resize, getting
pictures in (open, paste, drop, recent), errors in plain words, preview and save."""

from __future__ import annotations

import io
import os
import warnings

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QWheelEvent, QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from medsnap.document.geometry import Rect
from medsnap.imaging import verify_clean
from medsnap.ui import settings as prefs
from ui_support import open_and_wait
from tests.ui.test_editor_tools import drag

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def test_undo_and_redo_from_the_keyboard(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    drag(window, "rectangle", (20, 20), (120, 120))
    drag(window, "arrow", (200, 200), (300, 250))
    assert [a.kind for a in window.document.annotations] == ["rectangle", "arrow"]
    assert "•" in window.windowTitle()
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, CTRL)
    assert [a.kind for a in window.document.annotations] == ["rectangle"]
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, CTRL)
    assert window.document.annotations == () and "•" not in window.windowTitle()
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, CTRL | SHIFT)
    QTest.keyClick(window.canvas, Qt.Key.Key_Y, CTRL)
    assert [a.kind for a in window.document.annotations] == ["rectangle", "arrow"]
    assert window.actions.undo.text().endswith("Add arrow")


def wheel(widget, position: QPointF, steps: int, modifiers=CTRL):
    event = QWheelEvent(position, widget.mapToGlobal(position), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton, modifiers,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_ctrl_wheel_zoom_keeps_the_point_under_the_cursor(qtbot, make_window, pattern_png):
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    canvas = window.canvas
    canvas.zoom_to(4.0)  # big enough that the picture overflows the view at every step
    cursor = QPointF(301.0, 207.0)
    before = canvas.to_image(cursor)
    wheel(canvas.viewport(), cursor, 2)
    assert canvas.scale == pytest.approx(4.0 * 1.25 ** 2)
    assert canvas.to_image(cursor) == pytest.approx(before, abs=1e-6)
    wheel(canvas.viewport(), cursor, -1)
    assert canvas.to_image(cursor) == pytest.approx(before, abs=1e-6)
    assert window.status.zoom.currentText() == f"{canvas.scale * 100:.0f}%"


def test_zoom_keys_fit_and_actual_size(qtbot, make_window, tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (3000, 1000), (90, 90, 90)).save(path)
    window = make_window()
    open_and_wait(qtbot, window, path)
    canvas = window.canvas
    fit = canvas.scale
    assert fit == pytest.approx(canvas.viewport().width() / 3000)
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_1, CTRL)
    assert canvas.scale == 1.0
    QTest.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.scale == 1.5
    QTest.keyClick(canvas, Qt.Key.Key_Minus)
    QTest.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.scale == pytest.approx(0.75)
    QTest.keyClick(canvas, Qt.Key.Key_0, CTRL)
    assert canvas.scale == pytest.approx(fit)
    # the zoom level is editable in the status bar
    window.status.zoom.setEditText("250 %")
    QTest.keyClick(window.status.zoom.lineEdit(), Qt.Key.Key_Return)
    assert canvas.scale == 2.5


def test_pan_with_middle_button_space_drag_and_scrollbars(qtbot, make_window, pattern_png):
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    canvas = window.canvas
    canvas.zoom_to(4.0)
    viewport = canvas.viewport()
    centre = QPoint(viewport.width() // 2, viewport.height() // 2)
    before = canvas.to_image(QPointF(centre))
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(viewport, centre + QPoint(40, 20))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier,
                       centre + QPoint(40, 20))
    after = canvas.to_image(QPointF(centre))
    assert after == pytest.approx((before[0] - 10, before[1] - 5))
    # space + left drag pans and draws nothing
    canvas.setFocus()
    window.choose_tool("pen")
    QTest.keyPress(canvas, Qt.Key.Key_Space)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(viewport, centre - QPoint(80, 0))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       centre - QPoint(80, 0))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.to_image(QPointF(centre))[0] == pytest.approx(after[0] + 20)
    assert window.document.annotations == ()
    # the scroll bars follow, and moving them pans
    bar = canvas.horizontalScrollBar()
    assert bar.value() == round(canvas.view.scroll_position[0])
    bar.setValue(0)
    assert canvas.to_image(QPointF(0, 0))[0] == pytest.approx(0)


def test_crop_by_drag_and_by_numbers_is_undoable(qtbot, make_window, pattern_png):
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    window.canvas.zoom_to(1.0)
    drag(window, "crop", (150, 100), (350, 250))
    assert window.document.crop == Rect(150, 100, 200, 150)
    assert window.crop_bar.isVisible()
    boxes = window.crop_bar.boxes
    assert [boxes[k].value() for k in "xywh"] == [150, 100, 200, 150]
    boxes["w"].setValue(100)
    window.crop_bar.apply_button.click()
    assert window.document.crop == Rect(150, 100, 100, 150)
    window.choose_tool("select")  # outside the crop tool the view shows only the crop
    assert window.canvas.view.image_x == 150 and window.canvas.view.image_width == 100
    assert window.status.size_label.text().startswith("100 × 150 px")
    window.undo_stack.undo()
    assert window.document.crop == Rect(150, 100, 200, 150)
    window.undo_stack.undo()
    assert window.document.crop is None


def test_a_crop_typed_with_enter_leaves_the_keys_to_the_picture(qtbot, make_window, pattern_png):
    """Width typed, Enter: the crop applies and Ctrl+Z undoes it (not the typing in the box)."""
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    window.canvas.zoom_to(1.0)
    drag(window, "crop", (150, 100), (350, 250))
    box = window.crop_bar.boxes["w"]
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "120")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert window.document.crop == Rect(150, 100, 120, 150)
    assert window.canvas.hasFocus()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert window.document.crop == Rect(150, 100, 200, 150)


def test_select_move_resize_nudge_and_delete(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    drag(window, "rectangle", (50, 50), (150, 100))
    drag(window, "select", (100, 75), (130, 95))  # drag from inside: move
    (rect,) = window.document.annotations
    assert rect.rect == Rect(80, 70, 100, 50)
    drag(window, "select", (180, 120), (220, 160))  # the south-east handle: resize
    assert window.document.annotations[0].rect == Rect(80, 70, 140, 90)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Right, SHIFT)
    assert window.document.annotations[0].rect.x == 90
    window.tool_strip.set_colour("#2E7D32")  # recolour the selection
    assert window.document.annotations[0].style.colour == "#2E7D32"
    assert window.actions.delete.isEnabled()
    QTest.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert window.document.annotations == ()
    for _ in range(5):
        window.undo_stack.undo()
    assert window.document.annotations[0].rect == Rect(50, 50, 100, 50)


def test_paste_an_image_from_the_clipboard(qtbot, make_window):
    window = make_window()
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 120, 200))
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(window.picture_loaded, timeout=10000):
        window.canvas.setFocus()
        QTest.keyClick(window.canvas, Qt.Key.Key_V, CTRL)
    assert window.document.size == (320, 200)
    assert window.document.picture.image.getpixel((5, 5))[:3] == (10, 120, 200)
    assert window.windowTitle().startswith("Pasted image")


def test_paste_without_an_image_says_so(qtbot, make_window):
    window = make_window()
    QGuiApplication.clipboard().setText("just words")
    window.paste()
    assert "no image on the clipboard" in window.last_error


def test_drop_a_file_opens_it(qtbot, make_window, pattern_png):
    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(pattern_png))])
    point = QPoint(200, 200)
    with warnings.catch_warnings():  # the only constructor PySide6 offers is marked deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()  # the window says it takes the drop
    event = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.picture_loaded, timeout=10000):
        QApplication.sendEvent(window, event)
    assert event.isAccepted()
    assert window.document.size == (400, 300)
    assert window.recent_paths == [str(pattern_png)]
    assert [a.text() for a in window.actions.recent_menu.actions()] == ["pattern.png"]
    # full paths can name a patient: never written to the plain-text settings file (nor
    # its folder, where the next file dialog starts: kept in memory too)
    window.settings.setValue("test/written", 1)  # the file exists, to be read
    window.settings.sync()
    assert not window.settings.contains(prefs.RECENT_FILES.key)
    assert not window.settings.contains(prefs.LAST_DIRECTORY.key)
    assert "pattern" not in open(window.settings.fileName()).read()
    assert window.folders.last == str(pattern_png.parent)


def test_a_corrupt_file_gives_a_plain_words_error(qtbot, make_window, tmp_path, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    broken = tmp_path / "scan.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00garbage" * 20)
    with qtbot.waitSignal(window.error_shown, timeout=10000):
        window.open_path(str(broken))
    message = window.last_error
    assert "scan.jpg" in message and "Traceback" not in message
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and boxes[0].text() == message
    # the picture that was open is still there and editable
    assert window.document.size == (400, 300) and window.canvas.document is window.document
    boxes[0].close()


def test_preview_as_sent_shows_the_exported_pixels(qtbot, make_window, pattern_png):
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    window.canvas.zoom_to(1.0)
    drag(window, "redaction", (10, 10), (60, 40))
    with qtbot.waitSignal(window.canvas.zoom_changed, timeout=100, raising=False):
        pass
    window.actions.preview.trigger()
    qtbot.waitUntil(lambda: window.canvas.sent_preview is not None, timeout=10000)
    preview = window.canvas.sent_preview.levels[0].image
    assert (preview.width(), preview.height()) == (400, 300)
    assert preview.pixelColor(30, 20) == QColor(0, 0, 0)
    assert preview.pixelColor(300, 50) == QColor(0, 255, 0)
    # tools are off while previewing; any edit ends the preview
    drag(window, "rectangle", (100, 100), (200, 200))
    assert len(window.document.annotations) == 1
    window.actions.preview.trigger()
    assert window.canvas.sent_preview is None


def test_save_a_copy_writes_a_clean_file(qtbot, make_window, tmp_path, pattern_png):
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    drag(window, "redaction", (10, 10), (60, 40))
    target = tmp_path / "copy.png"
    window.sent_preview.save_to(str(target))
    qtbot.waitUntil(lambda: target.exists(), timeout=10000)
    data = target.read_bytes()
    verify_clean(data)
    assert Image.open(io.BytesIO(data)).convert("RGB").getpixel((30, 20)) == (0, 0, 0)


def test_window_geometry_is_remembered(qtbot, make_window, settings_path):
    first = make_window(700, 520)  # within the 800x800 offscreen screen
    size = (first.width(), first.height())
    first.close()
    stored = QSettings(settings_path, QSettings.Format.IniFormat)
    assert not prefs.WINDOW_GEOMETRY.read(stored).isEmpty()
    second = make_window(300, 300)
    second.restoreGeometry(prefs.WINDOW_GEOMETRY.read(stored))
    assert (second.width(), second.height()) == size


def test_controls_have_accessible_names(qtbot, make_window):
    window = make_window()
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

    controls = [w for cls in (QAbstractButton, QAbstractSpinBox, QComboBox)
                for w in window.findChildren(cls) if w.isVisible()]
    assert len(controls) > 20
    unnamed = [c for c in controls if not c.accessibleName() and not c.text()]
    assert unnamed == []


def test_a_pdf_letter_opens_at_the_chosen_page(qtbot, make_window, tmp_path):
    from medsnap.ui.pdf_pages import PdfPageDialog
    from tests.imaging.record_fixtures import pdf_letter

    path = tmp_path / "letter.bin"  # recognised by content, not by name
    path.write_bytes(pdf_letter(3))
    window = make_window()
    window.open_path(str(path))
    dialog = window.findChild(PdfPageDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(window.picture_loaded, timeout=15000):
        dialog.page_chosen.emit(1, 72.0, "")  # what the dialog sends when page 2 is chosen
    assert window.windowTitle().startswith("letter.bin (page 2)")
    assert window.document.picture.page == 1
    dialog.close()


def test_pinch_zoom_keeps_the_point_under_the_fingers(qtbot, make_window, pattern_png):
    from PySide6.QtGui import QNativeGestureEvent, QPointingDevice

    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    canvas = window.canvas
    canvas.zoom_to(4.0)
    where = QPointF(250.0, 180.0)
    before = canvas.to_image(where)
    event = QNativeGestureEvent(Qt.NativeGestureType.ZoomNativeGesture,
                                QPointingDevice.primaryPointingDevice(), 2, where, where,
                                canvas.viewport().mapToGlobal(where), 0.5, QPointF(), 0)
    QApplication.sendEvent(canvas.viewport(), event)
    assert canvas.scale == pytest.approx(6.0)
    assert canvas.to_image(where) == pytest.approx(before, abs=1e-6)


CLI_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from medsnap import app as composition
from medsnap.ui.main_window import MainWindow

def check():
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if windows and windows[0].document is not None:
        print("OPENED", windows[0].document.size, windows[0].windowTitle(), flush=True)
        windows[0].close()
    else:  # the welcome screen first, as on a plain start: the file opens once chosen
        if windows and windows[0].messaging.first_run.isVisible():
            windows[0].messaging.first_run.later.click()
        QTimer.singleShot(50, check)

QTimer.singleShot(50, check)
QTimer.singleShot(20000, app.quit)
sys.exit(composition.main(sys.argv[1:]))
"""


def test_the_command_line_opens_the_image(pattern_png, tmp_path):
    """`medsnap IMAGE` -> app.main([IMAGE]), in its own process (it runs the event loop)."""
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # private QSettings
    done = subprocess.run([sys.executable, "-c", CLI_DRIVER, str(pattern_png)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "OPENED (400, 300) pattern.png — MedSnap" in done.stdout


def test_pointer_position_is_shown_over_the_picture_only(qtbot, make_window, pattern_png):
    # Over the margin around a fitted picture the status bar once showed positions the
    # picture does not have (1522, 719 on a picture 1200 wide).
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    window.canvas.zoom_to(0.25)  # the picture is small in the view: margins all round
    viewport = window.canvas.viewport()
    width, height = window.document.size
    QTest.mouseMove(viewport, window.canvas.to_view(width / 2, height / 2).toPoint())
    qtbot.waitUntil(lambda: window.status.position.text() != "", timeout=2000)
    x, y = (int(v) for v in window.status.position.text().split(", "))
    assert abs(x - width // 2) <= 4 and abs(y - height // 2) <= 4  # a view pixel is 4 here
    QTest.mouseMove(viewport, window.canvas.to_view(width + 40, height / 2).toPoint())
    qtbot.waitUntil(lambda: window.status.position.text() == "", timeout=2000)
