"""The inbox list: signed sender name, time, note preview, unread marker; refused ones say so.

The inbox keeps only ciphertext and the signed facts, never the note, so the note preview is
known only once a letter was opened in this session (and is forgotten on lock).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from medsnap.ui.outbox_view import clock

NOTIFICATION = "New message from a colleague"  # no patient content, not even the sender


class InboxView(QWidget):
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Received messages")
        self.notes: dict[str, str] = {}  # item id -> note, only while unlocked
        self.items: dict[str, object] = {}
        self.banner = QLabel(self)
        self.banner.setObjectName("newMessageBanner")
        self.banner.hide()
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["From", "Time", "Note"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName("Received messages")
        self.tree.setColumnWidth(0, 140)
        self.tree.setColumnWidth(1, 48)
        self.tree.header().setStretchLastSection(True)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel("No messages yet.", self)
        self.empty.setObjectName("panelHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)

    def notify(self, count: int) -> None:
        self.banner.setText(NOTIFICATION if count == 1 else f"{count} new messages from colleagues")
        self.banner.show()

    def unread_count(self) -> int:
        return sum(1 for item in self.items.values() if item.state == "verified")

    def show_items(self, items: list) -> None:
        self.items = {item.id: item for item in items}
        self.tree.clear()
        for item in sorted(items, key=lambda i: i.received_at, reverse=True):
            verdict = item.verdict
            if item.state == "refused":
                sender = "⚠ Refused message"
                note = verdict.get("reason", "")
            elif item.state == "unverified":
                sender, note = "Checking…", ""
            else:
                sender = verdict.get("from", "")
                note = self.notes.get(item.id, "(open to read the note)")
            unread = item.state == "verified"
            row = QTreeWidgetItem([("● " if unread else "") + sender,
                                   clock(verdict.get("issued_at") or item.received_at), note])
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            row.setToolTip(0, f"{sender} ({verdict.get('from_role', '')}) — signature checked"
                           if item.state in ("verified", "opened") else note)
            if unread:
                font = QFont(row.font(0))
                font.setBold(True)
                for column in range(3):
                    row.setFont(column, font)
            if item.state == "refused":
                row.setForeground(0, Qt.GlobalColor.darkRed)
            self.tree.addTopLevelItem(row)
        self.empty.setVisible(not items)

    def remember_note(self, item_id: str, note: str) -> None:
        self.notes[item_id] = note.splitlines()[0][:80] if note else "(no note)"

    def _activated(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        self.banner.hide()
        self.open_requested.emit(row.data(0, Qt.ItemDataRole.UserRole))

    def forget(self) -> None:
        """On lock: no sender, no note, no list on screen or in memory."""
        self.notes.clear()
        self.items = {}
        self.tree.clear()
        self.banner.hide()
