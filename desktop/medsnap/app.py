"""Composition root: builds the application and its main window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """``medsnap [IMAGE]``: open the editor, with IMAGE loaded if given."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from medsnap.ui.editor_policy import user_settings
    from medsnap.ui.icons import icon, style_sheet

    argv = sys.argv[1:] if argv is None else list(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("MedSnap")
    app.setOrganizationName("MedSnap")
    app.setApplicationDisplayName("MedSnap")
    app.setWindowIcon(icon("medsnap") or QIcon())
    sheet = style_sheet()
    if sheet:
        app.setStyleSheet(sheet)
    window = open_window(user_settings(), [arg for arg in argv if not arg.startswith("-")])
    return app.exec()


def open_window(settings, images: list[str], **messaging_options):
    """The editor with sending and receiving: the welcome screen when nobody is signed in,
    also with a picture given on the command line (it opens once the welcome screen's choice
    is made, so a passphrase typed at start never goes into the editor). Under the welcome
    screen the panels are built just after the first paint."""
    from medsnap.ui.main_window import MainWindow
    from medsnap.ui.messaging_window import attach_messaging

    window = MainWindow(settings)
    window.show()
    window.messaging = attach_messaging(window, deferred=True, **messaging_options)
    if images:
        window.messaging.open_after_welcome(images[0])
    return window
