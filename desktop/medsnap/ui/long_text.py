"""Text from outside (a colleague's note, a pasted URL or token, a file path) shown without
letting one long unbroken word decide a window's width: a word-wrapped QLabel is never
narrower than its longest word, and a 3000-character token made the message viewer 24,900 px
wide, off the screen (NU5). Labels get invisible break points, tooltips short lines, and the
viewer's note a read-only box that wraps anywhere and scrolls past a few lines.
"""

from __future__ import annotations

import re
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget

ZERO_WIDTH_SPACE = "\u200b"  # a line-break opportunity that shows nothing
#: a run of this many characters without a space gets a break point after it (about 170 px
#: in the panels' font: narrower than the narrowest panel)
LONGEST_RUN = 24
TOOLTIP_COLUMNS = 72
_LONG_RUN = re.compile(r"\S{%d,}" % (LONGEST_RUN + 1))


def breakable(text: str) -> str:
    """``text`` with a zero-width space after every LONGEST_RUN characters of any longer run
    of non-spaces, for a word-wrapped label (plain or rich: tags and entities have no long
    runs unless their text does, and a break inside a long URL's text is harmless)."""
    def split(match: re.Match) -> str:
        word = match.group(0)
        return ZERO_WIDTH_SPACE.join(word[i:i + LONGEST_RUN]
                                     for i in range(0, len(word), LONGEST_RUN))
    return _LONG_RUN.sub(split, text)


def short_lines(text: str, columns: int = TOOLTIP_COLUMNS) -> str:
    """Plain text for a tooltip: Qt never wraps a plain one, so each line is cut to
    ``columns`` characters (long words too); the line breaks the writer made are kept."""
    lines = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, columns, break_on_hyphens=False,
                                   replace_whitespace=False) or [""])
    return "\n".join(lines)


class NoteText(QTextEdit):
    """A received note: read-only and selectable (copied exactly as sent), wrapped at word
    boundaries or anywhere, as tall as its text up to ``max_lines`` lines, then scrolled, so a
    long note leaves the picture its room."""

    def __init__(self, parent: QWidget | None = None, max_lines: int = 8) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes on to the buttons
        self.document().documentLayout().documentSizeChanged.connect(lambda _s: self._fit())

    def setText(self, text: str) -> None:  # noqa: N802 - as QLabel's, which it replaces
        self.setPlainText(text)
        self._fit()

    def text(self) -> str:
        return self.toPlainText()

    def _fit(self) -> None:
        line = self.fontMetrics().lineSpacing()
        chrome = self.height() - self.viewport().height()  # frame, padding, margins
        wanted = int(self.document().size().height()) + chrome + 2
        cap = self.max_lines * line + chrome + 2
        self.setFixedHeight(max(line + chrome, min(wanted, cap)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()  # narrower: more lines
