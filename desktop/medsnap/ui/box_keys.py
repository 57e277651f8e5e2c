"""Enter or Escape in a number box of the toolbars hands the keyboard back to the picture.

A spin box keeps the focus after Enter, and while it has it the picture's keys go to the box:
a one-key tool shortcut types nothing, Delete edits the number instead of removing the
selected annotation, and Ctrl+Z undoes the typing, not the last annotation.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractSpinBox, QWidget

from medsnap.ui.qt_enums import Qt


class BackToPicture(QObject):
    """Enter: the box takes its number (as it does anyway), then the picture has the keyboard.
    Escape: the typing is dropped (the box shows its number again), and the same."""

    def __init__(self, boxes: Iterable[QAbstractSpinBox], picture: QWidget) -> None:
        super().__init__(picture)
        self.picture = picture
        for box in boxes:
            box.installEventFilter(self)
            box.lineEdit().returnPressed.connect(self._hand_back)

    def eventFilter(self, box: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            box.setValue(box.value())  # shows the number it has, not what was typed
            self._hand_back()
            return True
        return False

    def _hand_back(self) -> None:
        self.picture.setFocus(Qt.FocusReason.OtherFocusReason)
