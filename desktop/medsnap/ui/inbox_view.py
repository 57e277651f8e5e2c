"""The inbox list: signed sender name, time, unread marker, and the start of the note with an
"Urgent" tag before anything is opened; refused ones say why.

Newest first by the time each row shows (the sender's signed time; the time it arrived
here when nothing signed one). Opening a message never moves it: urgent rows are marked
red, not floated, so the order always matches the times on screen.

The note preview and priority arrive decrypted on each item (``InboxItem.preview``: the
engine keeps them sealed to the clinician's own key and opens them for the list while the
window is unlocked). Letters stored before previews existed show a hint until opened.
``forget()`` on lock drops every item, and with them every preview.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from medsnap.messaging.inbox_revocation import will_not_open
from medsnap.ui.inbox_rows import (HINT_ROLE, ID_ROLE, PREVIEW_ROLE, TIME_ROLE, URGENT_RED,
                                   URGENT_ROLE, InboxRowDelegate)
from medsnap.ui.long_text import short_lines
from medsnap.ui.outbox_view import clock

# Notifications carry no patient content: not the sender, not the note. The priority is
# said, because it is the sender's handling instruction and names no patient, and an urgent
# message noticed late is a risk to the patient.
NOTIFICATION = "New message from a colleague"
URGENT_NOTIFICATION = "Urgent message from a colleague"
NOT_YET_OPENED = "Open it to read the note"
REFUSED_NOTIFICATION = "A message was refused"


def notification_text(count: int, urgent: int = 0, refused: int = 0) -> str:
    """``count`` messages just fetched, ``refused`` of them refused: a refused letter has no
    sender MedSnap can vouch for, so it is never counted as "from a colleague"."""
    checked = count - refused
    if checked == 1:
        text = URGENT_NOTIFICATION if urgent else NOTIFICATION
    elif checked:
        text = f"{checked} new messages from colleagues"
        text = f"{text}, {urgent} urgent" if urgent else text
    else:
        text = ""
    if not refused:
        return text
    refusal = REFUSED_NOTIFICATION if refused == 1 else f"{refused} messages were refused"
    return f"{text} · {refusal.lower()}" if text else f"{refusal}; the inbox says why"


def row_facts(item) -> dict:
    """What one row shows: sender line, second line, urgent, hint (pure data, testable)."""
    verdict = item.verdict
    if item.state == "refused":
        return {"sender": "⚠ Refused message", "line": verdict.get("reason", ""),
                "urgent": False, "hint": False}
    if item.state == "unverified":
        return {"sender": "Checking…", "line": "", "urgent": False, "hint": True}
    preview = item.preview
    unread = "● " if item.state == "verified" else ""
    revoked = getattr(item, "revocation_mark", "")  # "⚠ sender revoked since …" (inbox_revocation)
    if revoked:
        words = preview.note if preview is not None and preview.note else ""
        return {"sender": unread + verdict.get("from", ""),
                "line": f"{revoked} · {words}" if words else revoked,
                "urgent": preview is not None and preview.urgent, "hint": False}
    if preview is None:
        return {"sender": unread + verdict.get("from", ""), "line": NOT_YET_OPENED,
                "urgent": False, "hint": True}
    return {"sender": unread + verdict.get("from", ""), "line": preview.note or "(no note)",
            "urgent": preview.urgent, "hint": not preview.note}


def _newest_shown_first(item) -> tuple[int, int, str]:
    """By the time shown, newest first; ties by arrival, then id, so the order is stable."""
    return -item.shown_at, -item.received_at, item.id


class InboxView(QWidget):
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Received messages")
        self.items: dict[str, object] = {}
        self.banner = QLabel(self)
        self.banner.setObjectName("newMessageBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.fresh = (0, 0, 0)  # new, urgent, refused since the banner was last dismissed
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(1)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegate(InboxRowDelegate(self.tree))
        self.tree.setAccessibleName("Received messages")
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel("No messages yet.", self)
        self.empty.setObjectName("panelHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        # activated only: a double-click activates too, and connecting doubleClicked as
        # well opened the message twice (two "opened" entries in the audit log)
        self.tree.itemActivated.connect(self._activated)

    def notify(self, count: int, urgent: int = 0, refused: int = 0) -> str:
        """Say how many arrived; while the banner is still up the counts add up (two
        messages a second apart are "2 new messages", not the last one alone). Returns
        the text, for the status bar and the desktop notification."""
        # still up, even on a hidden tab or behind the viewer: not yet dismissed
        before = self.fresh if self.banner.isVisibleTo(self) else (0, 0, 0)
        self.fresh = (before[0] + count, before[1] + urgent, before[2] + refused)
        text = notification_text(*self.fresh)
        self.banner.setText(text)
        self.banner.setProperty("tone", "urgent" if self.fresh[1] else "")
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
        return text

    def dismiss_banner(self) -> None:
        self.banner.hide()
        self.fresh = (0, 0, 0)

    def unread_count(self) -> int:
        return sum(1 for item in self.items.values() if item.state == "verified")

    def show_items(self, items: list) -> None:
        current = self.tree.currentItem()
        selected = current.data(0, ID_ROLE) if current is not None else None
        self.items = {item.id: item for item in items}
        self.tree.clear()
        for item in sorted(items, key=_newest_shown_first):
            row = self._row(item)
            self.tree.addTopLevelItem(row)
            if item.id == selected:  # the clinician's place in the list is kept
                self.tree.setCurrentItem(row)
        self.empty.setVisible(not items)

    @staticmethod
    def _row(item) -> QTreeWidgetItem:
        facts = row_facts(item)
        verdict = item.verdict
        row = QTreeWidgetItem([facts["sender"]])
        row.setData(0, ID_ROLE, item.id)
        row.setData(0, TIME_ROLE, clock(item.shown_at))
        row.setData(0, PREVIEW_ROLE, facts["line"])
        row.setData(0, URGENT_ROLE, facts["urgent"])
        row.setData(0, HINT_ROLE, facts["hint"])
        urgent = "urgent, " if facts["urgent"] else ""
        row.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                    f"{facts['sender'].lstrip('● ')}, {'unread, ' if item.state == 'verified' else ''}"
                    f"{urgent}{facts['line']}")
        if item.state in ("verified", "opened"):
            row.setToolTip(0, short_lines(
                f"{verdict.get('from', '')} ({verdict.get('from_role', '')}) — signature "
                f"checked\n{('Urgent: ' if facts['urgent'] else '')}{facts['line']}"))
        else:
            row.setToolTip(0, short_lines(facts["line"]))
        if item.state == "verified":  # unread
            font = QFont(row.font(0))
            font.setBold(True)
            row.setFont(0, font)
        if item.state == "refused" or will_not_open(item.verdict):
            row.setForeground(0, URGENT_RED)
        return row

    @staticmethod
    def preview_of(row: QTreeWidgetItem) -> str:
        """The second line of a row, as shown (tests and accessibility read it here)."""
        return str(row.data(0, PREVIEW_ROLE) or "")

    def _activated(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        self.dismiss_banner()
        self.open_requested.emit(row.data(0, ID_ROLE))

    def forget(self) -> None:
        """On lock: no sender, no preview, no list on screen or in memory."""
        self.items = {}
        self.tree.clear()
        self.dismiss_banner()
