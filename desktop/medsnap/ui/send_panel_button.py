"""The send panel's Send button names the colleague the picture goes to.

The colleague's card sits in the fields' scroll area, which can shrink to two rows at
1366x768 while Send stays on screen below it: a clinician could press Send with the card
scrolled away and nothing on screen saying who would receive the picture (review, NU6). So
the button says "Send to Dr Ben Hughes" (shortened with "…" to fit, whole in its tooltip and
accessible name), and plain "Send" while nobody is chosen. Its size does not follow the name:
choosing someone with a long name moves nothing and never widens the dock.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QPushButton, QStyle, QStyleOptionButton, QWidget

from medsnap.ui.qt_enums import Qt

PLAIN = "Send"


def send_wording(name: str) -> str:
    """What the button says in full for the chosen colleague's ``name`` ("" for nobody)."""
    return f"Send to {name}" if name else PLAIN


class SendButton(QPushButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(PLAIN, parent)
        self.full_text = PLAIN
        self.about = ""  # the tooltip given by setToolTip (what it does, its keys)

    def show_recipient(self, name: str) -> None:
        """``name``: the chosen colleague's display name, "" when nobody is chosen."""
        self.full_text = send_wording(name.strip())
        self.setAccessibleName(self.full_text)  # a screen reader hears all of it
        self._tell()
        self._fit()

    # the tooltip: the whole name above what the window said of the button (its keys) -----
    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt's name (window_actions calls it)
        self.about = text
        self._tell()

    def _tell(self) -> None:
        lines = [self.full_text] if self.full_text != PLAIN else []
        super().setToolTip("\n".join([*lines, self.about] if self.about else lines))

    # the text: shortened to the width the layout gives --------------------------------
    def _text_room(self) -> int:
        """The width left for text inside the button's bevel and padding."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""
        chrome = self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option,
                                               QSize(0, self.fontMetrics().height()), self)
        return max(0, self.width() - chrome.width())

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        shown = self.full_text
        if metrics.horizontalAdvance(shown) > self._text_room():
            shown = metrics.elidedText(shown, Qt.TextElideMode.ElideRight, self._text_room())
            # a name's first letters at least ("Send to Dr B…"), else plain "Send": never
            # "Send t…" or "Se…"
            shown = shown if len(shown) >= len(send_wording("")) + len(" to ") + 4 else PLAIN
        super().setText(shown.replace("&", "&&"))  # an "&" in a name is no shortcut key

    def shown_text(self) -> str:
        """The words as drawn (``text()`` doubles an "&")."""
        return self.text().replace("&&", "&")

    def _plain_hint(self, hint: QSize) -> QSize:
        """``hint`` as if the button said "Send": the name never widens it."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = PLAIN
        metrics = self.fontMetrics()
        contents = QSize(metrics.horizontalAdvance(PLAIN), max(metrics.height(), 14))
        plain = self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option,
                                              contents, self)
        return QSize(plain.width(), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._plain_hint(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._plain_hint(super().minimumSizeHint())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override (chosen while hidden)
        super().showEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
