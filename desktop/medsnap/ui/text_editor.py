"""The in-place editor for a text callout: a frameless text box over the canvas.

Enter adds a line; Ctrl+Enter, Esc, Tab or a click elsewhere commits (typed words are never
thrown away unasked: Undo removes them). Ctrl+Enter and Esc are claimed before the window's
shortcuts see them, so Ctrl+Enter finishes the callout here and never sends the picture.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

MIN_WIDTH = 120  # view pixels: room for a few words however far the picture is zoomed out


def _finishes(event: QKeyEvent) -> bool:
    """Esc, or Ctrl+Enter: the keys that finish a callout."""
    if event.key() == Qt.Key.Key_Escape:
        return True
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
        event.modifiers() & Qt.KeyboardModifier.ControlModifier)


class TextEditorOverlay(QPlainTextEdit):
    committed = Signal(str)

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
        self.setFixedWidth(max(MIN_WIDTH, round(width)))
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

    def _fit_height(self) -> None:
        """Tall enough for every line as wrapped, so all that is typed stays in view."""
        metrics = self.fontMetrics()
        inside = self.width() - 2 * self.frameWidth() - 8 - 2 * round(
            self.document().documentMargin())  # 8: the style sheet's padding and border
        text = self.toPlainText()
        text = text + " " if text.endswith("\n") or not text else text  # a new empty line
        wrapped = metrics.boundingRect(QRect(0, 0, max(1, inside), 1 << 20),
                                       Qt.TextFlag.TextWordWrap, text).height()
        lines = max(1, round(wrapped / metrics.lineSpacing()))
        self.setFixedHeight(round(metrics.lineSpacing() * (lines + 0.6)) + 12)

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and _finishes(event):
            event.accept()  # ours, not the window's Send (Ctrl+Enter) or Esc shortcuts
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if _finishes(event):
            self.finish()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.finish()
