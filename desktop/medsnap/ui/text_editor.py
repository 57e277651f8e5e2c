"""The in-place editor for a text callout: a frameless text box over the canvas.

Enter adds a line; Ctrl+Enter, Tab or a click elsewhere commits; Esc abandons the change.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget



class TextEditorOverlay(QPlainTextEdit):
    committed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Callout text")
        self.setPlaceholderText("Type the callout…")
        self.setTabChangesFocus(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.textChanged.connect(self._fit_height)
        self._open = False
        self.hide()

    def begin(self, text: str, x: float, y: float, font_px: float, colour: str,
              width: float) -> None:
        from medsnap.render import FONT_FAMILY  # the export's font, so the text wraps alike

        font = QFont(FONT_FAMILY)
        font.setPixelSize(max(9, round(font_px)))
        self.setFont(font)
        self.setStyleSheet(
            f"QPlainTextEdit {{ background: rgba(255,255,255,235); color: {colour[:7]};"
            f" border: 2px solid #1F6F8B; border-radius: 4px; padding: 2px; }}")
        self.setPlainText(text)
        self.move(round(x), round(y))
        self.setFixedWidth(max(220, round(width)))
        self._fit_height()
        self._open = True
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.selectAll()

    @property
    def is_open(self) -> bool:
        return self._open

    def finish(self) -> None:
        """Commit whatever is typed (used when the window needs the editor closed)."""
        if self._open:
            self._open = False
            text = self.toPlainText()
            self.hide()
            self.committed.emit(text)

    def abandon(self) -> None:
        if self._open:
            self._open = False
            self.hide()
            self.cancelled.emit()

    def _fit_height(self) -> None:
        lines = max(1, self.document().blockCount())
        line_height = self.fontMetrics().lineSpacing()
        self.setFixedHeight(round(line_height * (lines + 0.6)) + 12)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.abandon()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.finish()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.finish()
