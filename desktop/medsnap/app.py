"""Composition root: builds the application and its main window."""

from __future__ import annotations

import sys


def _settings():
    """The user's preferences: QSettings under the organisation "MedSnap"."""
    from PySide6.QtCore import QSettings

    return QSettings("MedSnap", "MedSnap")


def main(argv: list[str] | None = None) -> int:
    """``medsnap [IMAGE]``: open the editor, with IMAGE loaded if given."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from medsnap.ui.icons import icon, style_sheet
    from medsnap.ui.main_window import MainWindow

    argv = sys.argv[1:] if argv is None else list(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("MedSnap")
    app.setOrganizationName("MedSnap")
    app.setApplicationDisplayName("MedSnap")
    app.setWindowIcon(icon("medsnap") or QIcon())
    sheet = style_sheet()
    if sheet:
        app.setStyleSheet(sheet)
    window = MainWindow(_settings())
    window.show()
    images = [arg for arg in argv if not arg.startswith("-")]
    from medsnap.ui.messaging_window import attach_messaging

    # sending and receiving: the welcome screen when nobody is signed in (not over a
    # picture given on the command line: it opens for annotating, Send offers sign-in).
    # Under the welcome screen the panels are built just after the first paint.
    window.messaging = attach_messaging(window, welcome=not images, deferred=not images)
    if images:
        window.open_path(images[0])
    return app.exec()
