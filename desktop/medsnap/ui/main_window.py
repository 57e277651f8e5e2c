"""The editor window (filled in by the editor issue)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("MedSnap")
        self.resize(1100, 750)
        hint = QLabel("Open a record image to begin (File \u203a Open, or drop a file here).")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setAccessibleName("Empty editor")
        self.setCentralWidget(hint)
