"""What the status bar says of the messaging service agrees with the Online/Offline word
beside it (NU6).

"The demo messaging service had stopped; MedSnap started it again…, and messages waiting in
the outbox go now" was said before the sync that followed, and stayed for 15 s beside
"Offline — messages wait in the outbox" when that sync could not reach it (a proxy down).
It was also too long for a 1366-pixel window. So the restart is said shortly, and once the
sync after it has answered, the words say what came of it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from medsnap.ui.messaging_binding import DEMO_RESTARTED

SHOWN_MS = 15000  # as long as the window shows any other notice
RESTARTED_CHECKING = "Demo messaging service started again; connecting…"
RESTARTED_ONLINE = "Demo messaging service started again: messages in the outbox are sent."
RESTARTED_OFFLINE = ("Demo messaging service started again, but MedSnap cannot reach it: "
                     "messages wait in the outbox.")


class StatusNotices(QObject):
    """Bound after the window's own notice -> showMessage, so it has the last word."""

    def __init__(self, status, binding, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status, self.binding = status, binding
        binding.notice.connect(self._notice)
        binding.outbox_changed.connect(lambda _items: self._settled())  # each sync's end
        binding.offline_changed.connect(lambda _reason: self._settled())

    def _notice(self, message: str) -> None:
        if message == DEMO_RESTARTED:
            self.status.showMessage(RESTARTED_CHECKING, SHOWN_MS)

    def _settled(self) -> None:
        if self.status.currentMessage() != RESTARTED_CHECKING:
            return  # said and gone, or something newer is shown
        self.status.showMessage(RESTARTED_OFFLINE if self.binding.offline
                                else RESTARTED_ONLINE, SHOWN_MS)
