"""What the status bar says of the messaging service agrees with the Online/Offline word
beside it, and claims nothing the outbox does not bear out (NU6).

"The demo messaging service had stopped; MedSnap started it again…, and messages waiting in
the outbox go now" was said before the sync that followed, and stayed for 15 s beside
"Offline — messages wait in the outbox" when that sync could not reach it (a proxy down).
"…messages in the outbox are sent", said next, was no truer: a letter refused or failed in
that sync is still there (review). So the restart is said shortly, and once the sync after it
has answered, the words say whether MedSnap reaches the service and how many letters the
outbox still holds, counted from that sync's own list.

The restart is the binding's ``demo_restarted`` signal, not a notice's words compared.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

SHOWN_MS = 15000  # as long as the window shows any other notice
RESTARTED_CHECKING = "Demo messaging service started again; connecting…"
RESTARTED = "Demo messaging service started again."
RESTARTED_UNREACHABLE = "Demo messaging service started again, but MedSnap cannot reach it."


def _messages(count: int) -> str:
    return f"{count} message{'' if count == 1 else 's'}"


def restarted_wording(unreachable: bool, items) -> str:
    """The restart, as the sync after it found things: ``items`` is its outbox list."""
    queued = sum(1 for item in items if item.state == "queued")
    failed = sum(1 for item in items if item.state == "failed")
    said = RESTARTED_UNREACHABLE if unreachable else RESTARTED
    still = [f"{_messages(queued)} {'waits' if queued == 1 else 'wait'} in the outbox"
             if queued else "",
             f"{failed if queued else _messages(failed)} not sent (see Sent)" if failed else ""]
    still = [words for words in still if words]  # (the longest is shortened with "…")
    return f"{said[:-1]}; {', '.join(still)}." if still else said


class StatusNotices(QObject):
    def __init__(self, status, binding, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status, self.binding = status, binding
        self.pending = False  # the restart was said; the sync after it has not answered
        binding.demo_restarted.connect(self._restarted)
        binding.outbox_changed.connect(self._settled)  # a sync's end carries the outbox

    def _restarted(self) -> None:
        self.pending = True
        self.status.showMessage(RESTARTED_CHECKING, SHOWN_MS)

    def _settled(self, items) -> None:
        binding = self.binding
        if not self.pending or binding._syncing or binding._reviving:
            return  # a send's own news while the sync after the restart is still out
        self.pending = False
        if self.status.currentMessage() != RESTARTED_CHECKING:
            return  # gone by now, or something newer is shown
        self.status.showMessage(restarted_wording(bool(binding.offline), items), SHOWN_MS)
