"""The outbox: what was sent and what became of it (queued, sent, delivered, read, failed
with the reason and Retry), and the offline indicator for the status bar."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

STATE_LABELS = {
    "queued": "Waiting to send",
    "sent": "Sent",
    "delivered": "Delivered",
    "read": "Read",
    "failed": "Not sent",
    "cancelled": "Cancelled",
}


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
        self.tree.setHeaderLabels(["To", "Time", "Status"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName("Sent messages")
        self.tree.setColumnWidth(0, 150)
        self.tree.setColumnWidth(1, 70)
        self.tree.header().setStretchLastSection(True)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reason = QLabel(self)
        self.reason.setObjectName("failureReason")
        self.reason.setWordWrap(True)
        self.retry = QPushButton("Retry", self)
        self.retry.setEnabled(False)
        self.retry.clicked.connect(self._retry_clicked)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.retry)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())

    def show_items(self, items: list) -> None:
        selected = self.selected_id()
        self.items = {item.id: item for item in items}
        self.tree.clear()
        first_failed = None
        for item in reversed(items):  # newest first
            if item.state == "cancelled":
                continue
            label = STATE_LABELS.get(item.state, item.state)
            if item.state == "queued" and item.reason:
                label = "Waiting (offline)"
            row = QTreeWidgetItem([", ".join(self.name_of(s) for s in item.recipients),
                                   clock(item.sent_at or item.created_at), label])
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            row.setToolTip(2, item.reason or label)
            if item.state == "failed":
                row.setForeground(2, Qt.GlobalColor.darkRed)
                first_failed = first_failed or row
            self.tree.addTopLevelItem(row)
            if item.id == selected:
                self.tree.setCurrentItem(row)
        if self.tree.currentItem() is None and first_failed is not None:
            self.tree.setCurrentItem(first_failed)
        self._show_selected()

    def selected_id(self) -> str:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else ""

    def _show_selected(self) -> None:
        item = self.items.get(self.selected_id())
        failed = item is not None and item.state == "failed"
        self.retry.setEnabled(failed)
        if failed:
            self.reason.setText(f"Not sent: {item.reason}")
        elif item is not None and item.state == "queued" and item.reason:
            self.reason.setText(f"Waiting: {item.reason}")
        else:
            self.reason.setText("")

    def _retry_clicked(self) -> None:
        if self.selected_id():
            self.retry.setEnabled(False)
            self.retry_requested.emit(self.selected_id())

    def clear(self) -> None:
        self.items = {}
        self.tree.clear()
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
