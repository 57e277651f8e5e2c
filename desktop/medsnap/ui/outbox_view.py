"""The outbox: what was sent and what became of it (queued, sent, delivered, read, failed
with the reason and Retry, not opened or not delivered to a recipient, with who and why),
and the offline indicator for the status bar.

Each row has two lines, as in the inbox: the colleague, and the time and state on the right;
then an "Urgent" tag and the start of the sender's own note, so three messages to one
colleague can be told apart. The tooltip holds the whole note, the declaration and the
times. The note comes decrypted on the item (``sent_notes.SentItem``); the picture's file
name is never shown. Newest first by the time shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from medsnap.ui.inbox_rows import (HINT_ROLE, PREVIEW_ROLE, TIME_ROLE, URGENT_RED, URGENT_ROLE,
                                   InboxRowDelegate)
from medsnap.ui.long_text import breakable, short_lines
from medsnap.ui.refusals import gone_wording, recipient_gone, retry_can_help

STATE_LABELS = {
    "queued": "Waiting to send",
    "sent": "Sent",
    "delivered": "Delivered",
    "read": "Read",
    "failed": "Not sent",
    "cancelled": "Cancelled",
    "refused": "Could not be opened",
    "expired": "Not delivered",
}
#: states that want the clinician's attention: red, and chosen first in the list
TROUBLE = ("failed", "refused", "expired")
NOTE_NOT_KEPT = "(the note was not kept on this computer)"
TO, TIME, STATUS = 0, 1, 2  # columns: only TO is shown, painted on two lines


def status_label(item) -> str:
    label = STATE_LABELS.get(item.state, item.state)
    return "Waiting (offline)" if item.state == "queued" and item.reason else label


def shown_time(item) -> int:
    return item.sent_at or item.created_at


def sent_tooltip(item, names: str) -> str:
    """Everything that tells this message apart, for the pointer and the screen reader."""
    from medsnap.ui.send_panel import DECLARATION_LABELS

    note = getattr(item, "sent_note", None)
    lines = [f"To {names}" + (" · URGENT" if note is not None and note.urgent else ""),
             NOTE_NOT_KEPT if note is None else note.note.strip() or "(no note)"]
    if note is not None:
        lines.append("Patient: " + DECLARATION_LABELS.get(note.declaration, note.declaration))
    parts = []
    if item.state not in ("sent", "delivered", "read"):  # the times below say those
        parts.append(status_label(item) + (f": {item.reason}" if item.reason else ""))
    if not item.sent_at or clock(item.created_at) != clock(item.sent_at):
        parts.append(f"written {clock(item.created_at)}")
    if item.sent_at:
        parts.append(f"sent {clock(item.sent_at)}")
    if item.state in ("delivered", "read"):  # when this computer learnt it: "by" then
        parts.append(f"{item.state} by {clock(item.updated_at)}")
    when = " · ".join(parts)
    lines.append(when[:1].upper() + when[1:])
    return "\n".join(lines)


def clock(epoch: int | float | None) -> str:
    if not epoch:
        return ""
    moment = dt.datetime.fromtimestamp(epoch)
    today = dt.date.today()
    return moment.strftime("%H:%M" if moment.date() == today else "%d %b %H:%M")


class OutboxView(QWidget):
    retry_requested = Signal(str)

    def __init__(self, name_of: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sent messages")
        self.name_of = name_of
        self.items: dict[str, object] = {}
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["To", "Time", "Status"])  # time and status: on line one
        self.tree.setColumnHidden(TIME, True)  # (kept as columns for scripts and tests)
        self.tree.setColumnHidden(STATUS, True)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegate(InboxRowDelegate(self.tree))
        self.tree.setAccessibleName("Sent messages")
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel("Nothing sent yet.", self)
        self.empty.setObjectName("panelHint")
        self.details = QLabel(self)  # all about one message, on double-click or Enter
        self.details.setObjectName("sentDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setContentsMargins(6, 4, 6, 2)  # in line with the rows' text
        self.details.hide()
        self._details_id = ""  # the message whose details are shown
        self.reason = QLabel(self)
        self.reason.setObjectName("failureReason")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)  # (names and reasons come from afar)
        self.retry = QPushButton("Retry", self)
        self.retry.setEnabled(False)
        self.retry.clicked.connect(self._retry_clicked)
        self.retry_row = row = QWidget(self)  # shown only when there is a reason to give
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.reason, 1)
        row_layout.addWidget(self.retry)
        row.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.details)
        layout.addWidget(row)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.tree.itemActivated.connect(lambda *_: self._show_selected(details=True))

    def show_items(self, items: list) -> None:
        selected, details_id = self.selected_id(), self._details_id
        self.items = {item.id: item for item in items}
        self.tree.clear()
        first_failed = None
        shown = [item for item in items if item.state != "cancelled"]
        # newest first by the time shown; ties newest written first, as before
        shown = sorted(reversed(shown), key=shown_time, reverse=True)
        for item in shown:
            row = self._row(item)
            if item.state in TROUBLE:
                first_failed = first_failed or row
            self.tree.addTopLevelItem(row)
            if item.id == selected:
                self.tree.setCurrentItem(row)
        if self.tree.currentItem() is None and first_failed is not None:
            self.tree.setCurrentItem(first_failed)
        self.empty.setVisible(not shown)
        self._details_id = details_id if details_id == self.selected_id() else ""
        self._show_selected()  # a check for messages keeps the details open, updated

    def _row(self, item) -> QTreeWidgetItem:
        names = ", ".join(self.name_of(s) for s in item.recipients)
        label, when = status_label(item), clock(shown_time(item))
        row = QTreeWidgetItem([names, when, label])
        row.setData(TO, Qt.ItemDataRole.UserRole, item.id)
        row.setData(TO, TIME_ROLE, f"{when} · {label}" if when else label)
        note = getattr(item, "sent_note", None)
        words = NOTE_NOT_KEPT if note is None else note.first_words or "(no note)"
        row.setData(TO, PREVIEW_ROLE, words)
        row.setData(TO, URGENT_ROLE, note is not None and note.urgent)
        row.setData(TO, HINT_ROLE, note is None or not note.first_words)
        tooltip = sent_tooltip(item, names)
        row.setToolTip(TO, short_lines(tooltip))  # a pasted token: not one screen-wide line
        row.setData(TO, Qt.ItemDataRole.AccessibleTextRole, tooltip.replace("\n", ", "))
        if item.state in TROUBLE:
            row.setForeground(TO, URGENT_RED)
        return row

    def selected_id(self) -> str:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else ""

    def _show_selected(self, details: bool = False) -> None:
        """A failure or a wait says why; double-click or Enter says all about the message."""
        item = self.items.get(self.selected_id())
        failed = item is not None and item.state == "failed"
        # sent, but a colleague could not open it or never collected it: the reason says who
        not_reached = item is not None and item.state in ("refused", "expired")
        # a colleague who can no longer receive is refused again on every Retry: none offered
        retry = failed and retry_can_help(item.reason)
        self.retry.setEnabled(retry)
        # (the same bytes again would not help: such a letter is sent anew from the picture)
        self.retry.setVisible(retry or not (failed or not_reached))
        if details and item is not None:
            self._details_id = item.id
        showing = item is not None and item.id == self._details_id
        if showing:
            names = ", ".join(self.name_of(s) for s in item.recipients)
            self.details.setText(breakable(sent_tooltip(item, names)))  # never widens the panel
        self.details.setVisible(showing)
        if failed and recipient_gone(item.reason):
            names = ", ".join(self.name_of(s) for s in item.recipients)
            self.reason.setText(breakable(f"Not sent: {gone_wording(names)} A retry would "
                                          "be refused too."))
        elif failed:
            self.reason.setText(breakable(f"Not sent: {item.reason}"))
        elif not_reached:
            self.reason.setText(breakable(item.reason))
        elif item is not None and item.state == "queued" and item.reason:
            self.reason.setText(breakable(f"Waiting: {item.reason}"))
        else:
            self.reason.setText("")
        self.retry_row.setVisible(bool(self.reason.text()))

    def _retry_clicked(self) -> None:
        if self.selected_id():
            self.retry.setEnabled(False)
            self.retry_requested.emit(self.selected_id())

    def clear(self) -> None:
        self.items = {}
        self.tree.clear()
        self.details.clear()
        self._details_id = ""
        self.empty.setVisible(True)
        self._show_selected()


class OfflineIndicator(QLabel):
    """A status-bar word: online, or offline with the reason in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineIndicator")
        self.setAccessibleName("Connection")
        self.show_state(None)

    def show_state(self, offline: str | None) -> None:
        """None: not signed in; "": online; text: offline, and why."""
        if offline is None:
            self.setText("Not signed in")
            self.setToolTip("Sign in to send and receive; you can annotate meanwhile.")
            self.setProperty("tone", "idle")
        elif offline:
            self.setText("● Offline — messages wait in the outbox")
            self.setToolTip(offline)
            self.setProperty("tone", "bad")
        else:
            self.setText("● Online")
            self.setToolTip("Connected to the MedSnap endpoint")
            self.setProperty("tone", "ok")
        self.style().unpolish(self)
        self.style().polish(self)
