"""What the editor window remembers between runs: its geometry and toolbar state, the last
tool and the File › Recent menu (kept in QSettings under the keys declared in ``settings``)."""

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
    paths = prefs.RECENT_FILES.read(window.settings)
    for path in paths:
        action = menu.addAction(display_name(path))
        action.setToolTip(path)
        action.triggered.connect(lambda _=False, p=path: window.unsaved.then(
            lambda: window.open_path(p), "Opening a recent file"))
    menu.setEnabled(bool(paths))


def remember_recent(window: MainWindow, path: str) -> None:
    prefs.remember_recent(window.settings, path)
    refresh_recent(window)
