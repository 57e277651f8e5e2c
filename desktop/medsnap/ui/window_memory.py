"""What the editor window remembers between runs: its geometry and toolbar state and the last
tool (kept in QSettings under the keys declared in ``settings``).

File › Recent is kept in memory only, for this run and this clinician: a PACS export's or a
letter's full path often names the patient, and the QSettings file is plain text shared by
everyone who uses the ward's login. (Sealing the list in the signed-in clinician's profile
would keep it across runs, but the editor is used without signing in too.) A list left in
QSettings by an earlier version is removed at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medsnap.ui import settings as prefs
from medsnap.ui.image_sources import display_name
from medsnap.ui.tool_catalogue import TOOLS_BY_ID

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from medsnap.ui.main_window import MainWindow


def restore_layout(window: MainWindow) -> None:
    geometry = prefs.WINDOW_GEOMETRY.read(window.settings)
    if not geometry.isEmpty():
        window.restoreGeometry(geometry)
    elif window.screen() is not None:  # first start: most of the screen, centred
        area = window.screen().availableGeometry()
        window.resize(max(760, int(area.width() * 0.85)), max(560, int(area.height() * 0.85)))
        window.move(area.center() - window.rect().center())
    state = prefs.WINDOW_STATE.read(window.settings)
    if not state.isEmpty():
        window.restoreState(state)
    fit_on_screen(window)


def fit_on_screen(window: MainWindow) -> None:
    """Never larger than the screen's free area, nor past its edges: a size kept from a
    bigger screen or a smaller scale factor (QT_SCALE_FACTOR=2 halves the logical screen)
    put the menu bar above the top and Send off the right edge."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w = max(0, frame.width() - window.width())
    extra_h = max(0, frame.height() - window.height())
    width = min(window.width(), area.width() - extra_w)
    height = min(window.height(), area.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), area.left()), area.right() + 1 - frame.width())
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, area.left()), max(y, area.top()))


def last_tool(settings: QSettings) -> str:
    """The tool chosen when the editor was last used, or Select if it is no longer offered."""
    tool_id = prefs.LAST_TOOL.read(settings)
    return tool_id if tool_id in TOOLS_BY_ID else "select"


def save_layout(window: MainWindow) -> None:
    prefs.WINDOW_GEOMETRY.write(window.settings, window.saveGeometry())
    prefs.WINDOW_STATE.write(window.settings, window.saveState())
    window.settings.sync()


def refresh_recent(window: MainWindow) -> None:
    """Rebuild File › Recent from the stored paths, newest first."""
    menu = window.actions.recent_menu
    menu.clear()
    paths = window.recent_paths
    for path in paths:
        action = menu.addAction(display_name(path))
        action.setToolTip(path)
        action.triggered.connect(lambda _=False, p=path: window.unsaved.then(
            lambda: window.open_path(p), "Opening a recent file"))
    menu.setEnabled(bool(paths))


def remember_recent(window: MainWindow, path: str) -> None:
    window.recent_paths = prefs.newest_first(window.recent_paths, path)
    refresh_recent(window)


def forget_recent(window: MainWindow) -> None:
    """Switch user: the next clinician does not see what the last one opened."""
    window.recent_paths = []
    window.opener.last_pdf_page.clear()  # which page of which letter, too
    window.folders.forget()  # and where the file dialogs were last
    refresh_recent(window)


def remove_stored_recent(settings: QSettings) -> None:
    """Full paths written in plain text by earlier versions: gone (the last folder too)."""
    for setting in (prefs.RECENT_FILES, prefs.LAST_DIRECTORY):
        if settings.contains(setting.key):
            settings.remove(setting.key)
