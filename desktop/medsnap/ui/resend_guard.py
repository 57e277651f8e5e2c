"""A second Send of the same picture to the same colleague asks first: after a send the
colleague stays (the next picture often goes to them too), so once the declaration is chosen
again a second press would otherwise send a duplicate without a word."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from PySide6.QtWidgets import QMessageBox, QWidget

from medsnap.ui.qt_enums import Qt


@dataclass(frozen=True)
class _Sending:
    document: weakref.ref  # not the picture itself: nothing of a patient is kept alive here
    revision: int
    staff_id: str
    at: float = 0.0


class ResendGuard:
    """Remembers what was last sent: the picture (the document and its edit count) and to
    whom. Any edit, another picture or another colleague makes the next Send a new one."""

    def __init__(self, undo_stack) -> None:
        self.revision = 0
        undo_stack.indexChanged.connect(self._edited)
        self._pending: _Sending | None = None
        self._last: _Sending | None = None

    def _edited(self, _index: int) -> None:
        self.revision += 1

    def sending(self, document, staff_id: str) -> None:
        self._pending = _Sending(weakref.ref(document), self.revision, staff_id)

    def unchanged_since_sending(self) -> bool:
        """No edit since Send was pressed: what is on screen is what was sent."""
        return self._pending is not None and self._pending.revision == self.revision

    def sent(self) -> None:
        """The pending send reached the outbox (sent or queued)."""
        if self._pending is not None:
            self._last = _Sending(self._pending.document, self._pending.revision,
                                  self._pending.staff_id, time.time())
        self._pending = None

    def forget(self) -> None:
        """The last send was refused: nothing went, so a Send again is no duplicate."""
        self._last = None

    def sent_at(self, document, staff_id: str) -> str:
        """'HH:MM' when this very picture was last sent to this colleague, else ''."""
        last = self._last
        if last is None or last.document() is not document or last.staff_id != staff_id \
                or last.revision != self.revision:
            return ""
        return time.strftime("%H:%M", time.localtime(last.at))


def confirm_resend(parent: QWidget, name: str, when: str, send) -> QMessageBox:
    """No is the default: Enter or Esc sends nothing."""
    box = QMessageBox(QMessageBox.Icon.Question, "Send again?",
                      f"You already sent this picture to {name} at {when}. Send it again?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    yes = box.button(QMessageBox.StandardButton.Yes)
    box.buttonClicked.connect(lambda button: send() if button is yes else None)
    box.open()
    return box
