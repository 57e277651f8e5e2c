"""Editor window fixtures: a factory that builds real windows on private settings, closes
them and checks that nothing was left behind (napari's make_napari_viewer pattern)."""

from __future__ import annotations

import pytest
import shiboken6
from PIL import Image
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _qt_user_settings_folder(folder: str | None = None) -> str:
    """Where Qt's own user settings (QSettings "QtProject") are; moved to ``folder`` if given.
    Qt reads XDG_CONFIG_HOME once per process, so only setPath moves them."""
    from pathlib import Path

    native, user = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    if folder is not None:
        QSettings.setPath(native, user, folder)
    return str(Path(QSettings(user, "QtProject").fileName()).parent)


@pytest.fixture(scope="session", autouse=True)
def private_qt_settings(tmp_path_factory):
    """The window tests never write the tester's ~/.config/QtProject.conf (Qt's file dialog
    remembers folders there; MedSnap removes that memory, which is not the tester's to lose)."""
    before = _qt_user_settings_folder()
    yield _qt_user_settings_folder(str(tmp_path_factory.mktemp("qt-user-settings")))
    _qt_user_settings_folder(before)


@pytest.fixture
def qt_project_conf(tmp_path, private_qt_settings):
    """This test's own (empty) Qt user settings: the path of its QtProject.conf."""
    from pathlib import Path

    folder = tmp_path / "qt-config"
    folder.mkdir()
    _qt_user_settings_folder(str(folder))
    yield Path(folder) / "QtProject.conf"
    _qt_user_settings_folder(private_qt_settings)


@pytest.fixture
def settings_path(tmp_path):
    return str(tmp_path / "medsnap-settings.ini")


@pytest.fixture
def make_window(qtbot, settings_path):
    from medsnap.ui.main_window import MainWindow

    before = set(QApplication.topLevelWidgets())
    made: list[MainWindow] = []

    def factory(width: int = 1000, height: int = 700) -> MainWindow:
        window = MainWindow(QSettings(settings_path, QSettings.Format.IniFormat))
        window.resize(width, height)
        window.show()
        window.activateWindow()
        # window shortcuts (Ctrl+V, tool keys) need an active window
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        made.append(window)
        return window

    yield factory
    for window in made:
        if shiboken6.isValid(window.undo_stack):  # the test's drawing is not work to keep:
            window.undo_stack.setClean()  # closing does not ask (test_unsaved_work asks)
        window.close()
        window.deleteLater()
    for _ in range(3):
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, 0)  # 0 = QEvent::DeferredDelete included
    leaked = [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]
    assert leaked == [], f"top-level widgets left open: {leaked}"


def open_and_wait(qtbot, window, source, timeout=15000):
    with qtbot.waitSignal(window.picture_loaded, timeout=timeout):
        if isinstance(source, bytes):
            window.open_bytes(source, "test image")
        else:
            window.open_path(str(source))
    qtbot.wait(10)


def view_point(window, x, y) -> QPoint:
    return window.canvas.to_view(x, y).toPoint()


def drag(window, tool_id, start, end, steps=4) -> None:
    """Choose ``tool_id`` and drag with the left button between two image points."""
    window.choose_tool(tool_id)
    viewport = window.canvas.viewport()
    a, b = view_point(window, *start), view_point(window, *end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * i / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


@pytest.fixture
def grey_png(tmp_path):
    """A 400x300 mid-grey picture: any drawn colour stands out in the pixels."""
    path = tmp_path / "grey.png"
    Image.new("RGB", (400, 300), (128, 128, 128)).save(path)
    return path


@pytest.fixture
def pattern_png(tmp_path):
    """Four coloured quadrants, so positions can be told apart in rendered pixels."""
    image = Image.new("RGB", (400, 300), (255, 0, 0))
    image.paste((0, 255, 0), (200, 0, 400, 150))
    image.paste((0, 0, 255), (0, 150, 200, 300))
    image.paste((255, 255, 0), (200, 150, 400, 300))
    path = tmp_path / "pattern.png"
    image.save(path)
    return path


def memory_keystore():
    """A key store whose keyring lives in memory: a window under test signs in without the
    Secret Service."""
    from keyring_backends import MemoryKeyring

    from medsnap.crypto.keystore import KeyStore

    return KeyStore(keyring_backend=MemoryKeyring())
