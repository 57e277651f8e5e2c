"""Composition root: builds the application and its main window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from medsnap.ui.main_window import MainWindow

    argv = sys.argv[1:] if argv is None else list(argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("MedSnap")
    app.setOrganizationName("MedSnap")
    window = MainWindow()
    window.show()
    return app.exec()
