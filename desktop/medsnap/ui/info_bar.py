"""A calm notice above the picture: plain words, an optional action, and a way to dismiss it.

Used for a picture's cautions (e.g. text burned into a radiograph): visible without
interrupting the clinician the way a modal dialog would.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QToolButton, QWidget)


class InfoBar(QFrame):
    action_requested = Signal()
    dismissed = Signal()

    def __init__(self, action_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("infoBar")
        self.setAccessibleName("Caution")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # calm amber, readable in light and high-contrast themes alike (text stays dark)
        self.setStyleSheet("#infoBar { background: #FFF4D6; border: 1px solid #E0B94F;"
                           " border-radius: 4px; } #infoBar QLabel { color: #3A2E00; }")
        line = QHBoxLayout(self)
        line.setContentsMargins(10, 6, 6, 6)
        self.text = QLabel("", self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Caution text")
        self.action = QPushButton(action_text, self)
        self.action.setAccessibleName(action_text.rstrip("…") or "Act on the caution")
        self.action.clicked.connect(self.action_requested)
        self.action.setVisible(bool(action_text))
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Dismiss the caution")
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.dismissed)
        line.addWidget(self.text, 1)
        line.addWidget(self.action)
        line.addWidget(self.close_button)

    def show_notes(self, notes: tuple[str, ...] | list[str]) -> None:
        """Show the notes (one paragraph each), or hide the bar when there are none."""
        self.text.setText("\n\n".join(notes))
        self.setVisible(bool(notes))
