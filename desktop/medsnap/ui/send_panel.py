"""The send panel beside the editor: colleague, note, declaration, priority, expiry, Send.

Sending runs through the binding (off the UI thread); the editor stays usable meanwhile and
the picture stays open whatever happens, so a failed send loses nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QComboBox, QLabel, QPlainTextEdit, QPushButton,
                               QSpinBox, QWidget)

from medsnap.ui.colleague_key_dialogs import confirm_key_change
from medsnap.ui.colleague_picker import ColleaguePicker
from medsnap.ui.refusals import gone_wording, recipient_gone, retry_can_help
from medsnap.ui.send_panel_button import SendButton
from medsnap.ui.send_panel_layout import lay_out
from medsnap.ui.wheel_guard import WheelGuard

#: permanent wire values (the engine's declaration strings) with plain labels; "not
#: identifiable", the strongest claim, is last, not one Down press from "Choose…"
DECLARATIONS = (
    ("direct-care", "Direct care (same care team)"),
    ("consent-verbal", "Patient consented verbally"),
    ("consent-written", "Patient consented in writing"),
    ("not-identifiable", "Patient not identifiable"),
)
DECLARATION_LABELS = dict(DECLARATIONS)
PRIORITIES = (("normal", "Normal"), ("urgent", "Urgent"))
#: "sending … now" for longer than this says the service is slow (the upload's own time
#: limit is a minute: a large picture on a slow network may need it)
SLOW_SEND_MS = 10_000


def unreachable_wording(reason: str, name: str) -> str:
    """The endpoint's refusal names staff ids the user never typed: say it of the colleague."""
    if recipient_gone(reason):
        return gone_wording(name)
    return f"{reason} Choose Retry in Sent when it is fixed."


class SendPanel(QWidget):
    send_requested = Signal(dict)  # to, note, declaration, priority, expires_days
    preview_requested = Signal()
    sign_in_requested = Signal()
    nothing_sent = Signal()  # the endpoint refused the send: the picture is still unsent

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendPanel")
        self.setAccessibleName("Send")
        self.has_picture = False
        self.signed_in = False
        self.busy = False
        self.key_change_box = None  # the question asked before sending to a changed key
        self._queued: tuple[str, str] | None = None  # outbox id, colleague: said "Queued"
        self._sending_now = False  # that message is being uploaded right after queueing
        self._sent_fields: dict | None = None  # what reset_after_send cleared, until it left
        # sent, and nothing changed since: the panel reads as done, with no next-step hint
        # ("Say whether…" above "Sent to…" read as if the send still needed something)
        self.done = False
        self.who = QLabel("Not signed in: you can annotate, and sign in to send.", self)
        self.who.setWordWrap(True)
        self.who.setObjectName("panelHint")
        self.sign_in = QPushButton("Sign in to send…", self)
        self.sign_in.clicked.connect(self.sign_in_requested)
        self.picker = ColleaguePicker(settings, self)
        self.note = QPlainTextEdit(self)
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("A short note (what to look at, the question)")
        self.note.setMaximumHeight(56)  # three lines: the fields scroll less
        self.note.setTabChangesFocus(True)
        self.declaration = QComboBox(self)
        self.declaration.setAccessibleName("Patient identifiability")
        self.declaration.addItem("Choose… (required)", "")
        for value, label in DECLARATIONS:
            self.declaration.addItem(label, value)
        self.priority = QComboBox(self)
        self.priority.setAccessibleName("Priority")
        for value, label in PRIORITIES:
            self.priority.addItem(label, value)
        self.expires = QSpinBox(self)
        self.expires.setAccessibleName("Expires after days")
        self.expires.setRange(1, 90)
        self.expires.setValue(14)
        self.expires.setSuffix(" days")
        self.preview = QPushButton("Preview as sent", self)
        self.preview.setToolTip("Show exactly the clean pixels that would leave this computer")
        self.preview.clicked.connect(self.preview_requested)
        self.send = SendButton(self)  # "Send to <the chosen colleague>" (the card may scroll)
        self.send.setObjectName("sendButton")
        self.send.setDefault(True)
        self.send.clicked.connect(self._send_clicked)
        self.why_not = QLabel(self)
        self.why_not.setObjectName("panelHint")
        self.why_not.setWordWrap(True)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("sendOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)  # (names and reasons come from afar)

        self.scroll = lay_out(self)  # the fields scroll; the Send row stays beneath them
        self.wheel_guard = WheelGuard(self)
        self.wheel_guard.guard(self.declaration, self.priority, self.expires)

        self.picker.chosen.connect(self._colleague_chosen)
        self.declaration.currentIndexChanged.connect(lambda _i: self.next_started())
        for changed in (self.note.textChanged, self.priority.currentIndexChanged,
                        self.expires.valueChanged):
            changed.connect(lambda *_args: self.next_started())
        self.update_state()

    def next_started(self) -> None:
        """The clinician changed something after a send: the next-step hint comes back."""
        self.done = False
        self.update_state()

    def _colleague_chosen(self, entry) -> None:
        self.send.show_recipient(entry["display_name"] if entry is not None else "")
        # chosen in the panel: the keyboard moves on to the next action; chosen for the
        # clinician (a restored draft, Reply) it stays where it is, on the picture, so a
        # tool's key still picks the tool
        if entry is not None and self.isAncestorOf(QApplication.focusWidget()):
            (self.declaration if self.declaration.currentData() == "" else self.send).setFocus()
        self.next_started()

    def set_signed_in(self, name: str | None) -> None:
        self.signed_in = bool(name)
        self.who.setText(f"Signed in as <b>{name}</b>" if name else
                         "Not signed in: you can annotate, and sign in to send.")
        self.sign_in.setVisible(not name)
        self.update_state()

    def set_has_picture(self, has: bool) -> None:
        self.has_picture = has
        self.update_state()

    def missing(self) -> str:
        if not self.signed_in:
            return "Sign in to send."
        if not self.has_picture:
            return "Open a picture to send (File ▸ Open, paste, drop or capture)."
        if self.picker.current is None:
            return "Choose a colleague."
        if not self.declaration.currentData():
            return "Say whether the patient can be identified."
        return ""

    def missing_field(self) -> QWidget | None:
        """The field that ``missing()`` asks for, if it is one to fill in here."""
        if not self.signed_in:
            return self.sign_in
        if not self.has_picture:
            return None  # a picture is opened in the editor, not here
        if self.picker.current is None:
            return self.picker.search
        if not self.declaration.currentData():
            return self.declaration
        return None

    def focus_missing(self) -> QWidget | None:
        """Send asked for with something missing: the keyboard goes to that field (scrolled
        into view), so "Choose a colleague." can be answered by typing at once."""
        field = self.missing_field()
        if field is None or not field.isVisible():
            return None
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.scroll.widget().isAncestorOf(field):
            self.scroll.ensureWidgetVisible(field)
        return field

    def update_state(self) -> None:
        why = self.missing()
        self.send.setEnabled(not why and not self.busy)
        self.preview.setEnabled(self.has_picture)
        self.why_not.setText(why)
        # signed out or no picture is said even after a send: only the fields' hint waits
        self.why_not.setVisible(bool(why) and not (self.done and self.signed_in
                                                   and self.has_picture))

    def _send_clicked(self) -> None:
        if self.missing() or self.busy:
            return
        picker = self.picker
        if picker.key_changed:  # ask first; Cancel is the default
            entry = picker.current
            self.key_change_box = confirm_key_change(
                self.window(), entry, self._send_despite_key_change,
                lambda: picker.key_check_wanted.emit(entry))
            return
        self.send_requested.emit({
            "to": self.picker.current["staff_id"],
            "note": self.note.toPlainText().strip(),
            "declaration": self.declaration.currentData(),
            "priority": self.priority.currentData(),
            "expires_days": self.expires.value(),
        })

    def _send_despite_key_change(self) -> None:
        self.picker.key_changed = False  # answered: sent knowingly (the card still says it)
        self._send_clicked()

    def show_queued(self, message_id: str, name: str, sending: bool = False) -> None:
        """``sending``: just sealed into the outbox, the upload is being tried now (if no
        answer comes within SLOW_SEND_MS, the line says so rather than "now" for a minute)."""
        self._queued = (message_id, name)
        self._sending_now = sending
        if sending:
            QTimer.singleShot(SLOW_SEND_MS, self, lambda: self._still_sending(message_id))
        self.show_outcome(f"Queued in your outbox (kept safe if MedSnap closes); sending to "
                          f"{name} now…" if sending else
                          "Queued: MedSnap is offline. It will be sent automatically when the "
                          "connection returns.", ok=True)

    def _still_sending(self, message_id: str) -> None:
        if self._queued is None or self._queued[0] != message_id:
            return  # it left, failed, or another picture came meanwhile
        self.show_outcome(f"Queued in your outbox (kept safe if MedSnap closes). The messaging "
                          f"service is slow to answer; MedSnap keeps trying and sends it to "
                          f"{self._queued[1]} automatically.", ok=True)

    def follow_queued(self, items) -> None:
        """The outbox's news of the queued message: once it leaves (or fails) the line says
        so, not "Queued" any more."""
        import time

        if self._queued is None:
            return
        message_id, name = self._queued
        item = next((i for i in items if i.id == message_id), None)
        if item is None or item.state == "queued":
            return
        self._queued = None
        if item.state in ("sent", "delivered", "read"):
            when = time.strftime("%H:%M", time.localtime(item.sent_at or item.updated_at))
            self.show_outcome(f"✓ Sent to {name} at {when}" + (
                "" if self._sending_now else ", when MedSnap was back online") +
                "; signed and encrypted.", ok=True)
        elif item.state == "failed":
            self.refused(name, item.reason)
        elif item.state in ("refused", "expired"):  # sent, and already known not to reach
            self.show_outcome(f"Sent, but: {item.reason}", ok=False)

    def show_progress(self, text: str) -> None:
        self._queued = None  # a new send: its own outcome follows
        self.busy = True
        self.outcome.setProperty("tone", "busy")
        self.outcome.setText(text)
        self._repolish()
        self.update_state()

    def show_outcome(self, text: str, ok: bool) -> None:
        self.busy = False
        self.outcome.setProperty("tone", "ok" if ok else "bad")
        self.outcome.setText(text)
        self._repolish()
        self.update_state()

    def compose_state(self) -> dict:
        """What the clinician set up to send, kept with the encrypted draft."""
        current = self.picker.current
        return {"to": current["staff_id"] if current else "",
                "to_name": current["display_name"] if current else "",
                "note": self.note.toPlainText(), "declaration": self.declaration.currentData(),
                "priority": self.priority.currentData(), "expires_days": self.expires.value()}

    def restore_compose(self, state: dict) -> None:
        """A restored draft's own fields: nothing of the picture before it stays."""
        self.new_picture()
        if state.get("to"):
            self.picker.choose_staff_id(state["to"], state.get("to_name", ""))
        if state.get("note"):
            self.note.setPlainText(state["note"])
        for box, key in ((self.declaration, "declaration"), (self.priority, "priority")):
            index = box.findData(state.get(key) or "")
            if state.get(key) and index >= 0:
                box.setCurrentIndex(index)
        if state.get("expires_days"):
            self.expires.setValue(int(state["expires_days"]))
        self.update_state()

    def new_picture(self) -> None:
        """Another picture (opened, pasted, captured, dropped, restored): everything set for
        the one before goes, the colleague too. Keeping the colleague saved two keystrokes
        for a series to one person, but two testers found pictures addressed to someone
        never chosen for them (once kept in a draft and restored so): a picture going to
        the wrong clinician is a breach, and recent colleagues are listed first anyway."""
        self._queued = None  # its outcome is followed in Sent, not under this picture
        self._sent_fields = None
        if self.picker.current is not None or self.picker.wanted:
            self.picker.clear(focus=False)  # the keyboard stays with the new picture
        self.note.clear()
        self.declaration.setCurrentIndex(0)
        self.priority.setCurrentIndex(0)
        self.outcome.clear()
        self.outcome.setProperty("tone", "")
        self.done = False
        self.update_state()

    def reset_after_send(self) -> None:
        """Sent: the note, the declaration and Urgent are cleared, so a second press of Send
        does nothing and sending again (to anyone) declares afresh and is not urgent unless
        said again; the colleague stays. The panel then reads as done (no "Say whether…"
        hint) until something is changed for the next send. What was cleared is kept until
        the outcome is known: a refused send gives it back (``refused``)."""
        current = self.picker.current
        self._sent_fields = {"to": current["staff_id"] if current else "",
                             "note": self.note.toPlainText(),
                             "declaration": self.declaration.currentData(),
                             "priority": self.priority.currentData()}
        self.note.clear()
        self.declaration.setCurrentIndex(0)
        self.priority.setCurrentIndex(0)
        self.done = True  # after the clearing above, which counts as no change
        self.update_state()

    def refused(self, name: str, reason: str) -> None:
        """The endpoint refused the send (nothing went to anyone): the outcome says why. For a
        colleague who can no longer receive, the note and the declaration come back, so
        sending to another needs no retyping (the picture counts as unsent again:
        ``nothing_sent``); a refusal a Retry may get past leaves the letter in Sent instead."""
        self._queued = None
        kept, self._sent_fields = self._sent_fields, None
        if retry_can_help(reason):  # it waits in Sent for its Retry: fields given back as
            self.show_outcome(f"Not sent to {name}: {unreachable_wording(reason, name)}",
                              ok=False)  # well would invite a second letter (review)
            return
        if kept is not None:  # (the colleague can no longer receive: no Retry would pass)
            self.note.setPlainText(kept["note"])
            for box, key in ((self.declaration, "declaration"), (self.priority, "priority")):
                index = box.findData(kept[key] or "")
                if index >= 0:
                    box.setCurrentIndex(index)
            if kept["to"]:
                import time

                self.picker.mark_cannot_receive(kept["to"], time.strftime("%H:%M"))
        self.done = False
        self.show_outcome(f"Not sent to {name}: {unreachable_wording(reason, name)}", ok=False)
        self.nothing_sent.emit()

    def _repolish(self) -> None:
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)
