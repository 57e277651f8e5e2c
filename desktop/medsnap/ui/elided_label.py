"""A one-line label that gives way to the window: shortened with "…" when there is not room
for all of it (a long tool hint made the window wider than the screen), never widening it."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from medsnap.ui.qt_enums import Qt


class ElidedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._fit()

    def text(self) -> str:
        """The whole text, however much of it is shown."""
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)  # (the status bar hides it under a passing message)
        self._fit()

    def _fit(self) -> None:
        shown = self._elided()
        self.setToolTip(self._full if shown != self._full else "")
        super().setText(shown)

    def _elided(self) -> str:
        metrics = self.fontMetrics()
        if not self.isVisible() or metrics.horizontalAdvance(self._full) <= self.width():
            return self._full  # (and Qt's enums stay unset in the first frame: qt_enums)
        return metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, max(0, self.width()))
