"""Sending and receiving in the editor window: binds the send panel, the inbox and sent lists,
the viewer, the first-run and lock screens and the status-bar indicator to the binding.

``attach_messaging(window)`` is called by the composition root; the editor itself knows
nothing of messaging, so it still works (and is tested) without a session.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QMessageBox, QScrollArea,
                               QSystemTrayIcon, QTabWidget)

from medsnap.ui.colleague_picker import remember_recent, safety_number_of, show_safety_number
from medsnap.ui.draft_keeper import DraftKeeper
from medsnap.ui.first_run import FirstRunScreen
from medsnap.ui.receiving_binding import ReceivingBinding
from medsnap.ui.inbox_view import InboxView
from medsnap.ui.letter_viewer import LetterViewer
from medsnap.ui.lock_screen import IdleWatcher, LockScreen
from medsnap.ui.messaging_binding import MessagingBinding, policy
from medsnap.ui.outbox_view import OfflineIndicator, OutboxView
from medsnap.ui.send_panel import SendPanel


def messaging_style_sheet() -> str:
    from medsnap.ui.icons import RESOURCES

    path = RESOURCES / "style" / "messaging.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _dock(window, title: str, name: str, widget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    return dock


class MessagingUi(ReceivingBinding, QObject):
    def __init__(self, window, binding: MessagingBinding, idle_check_ms: int = 15_000) -> None:
        super().__init__(window)
        self.window, self.binding = window, binding
        self.send_panel = SendPanel(window.settings)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.send_panel)
        scroll.setMinimumWidth(300)
        self.send_dock = _dock(window, "Send", "sendDock", scroll)
        self.inbox_view = InboxView()
        self.outbox_view = OutboxView(binding.colleague_name)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inbox_view, "Inbox")
        self.tabs.addTab(self.outbox_view, "Sent")
        self.messages_dock = _dock(window, "Messages", "messagesDock", self.tabs)
        window.splitDockWidget(self.send_dock, self.messages_dock, Qt.Orientation.Vertical)
        QTimer.singleShot(0, self._size_docks)  # once the window has its size
        self.signed_in_as = ""
        self.tray: QSystemTrayIcon | None = None
        self._switched_off: list[QAction] = []
        self.viewer = LetterViewer(lambda: policy("allow_save_copy", True), window)
        self.lock_screen = LockScreen(window)
        self.first_run = FirstRunScreen(window)
        self.indicator = OfflineIndicator(window.status)
        window.status.addPermanentWidget(self.indicator)
        self.idle = IdleWatcher(binding, idle_check_ms, self)
        self.drafts = DraftKeeper(window, binding)
        sheet = messaging_style_sheet()
        for widget in (self.send_dock, self.messages_dock, self.viewer, self.lock_screen,
                       self.first_run, self.indicator):
            widget.setStyleSheet(sheet)
        self._build_menu()
        self._connect()
        window.installEventFilter(self)

    def _size_docks(self) -> None:
        height = max(400, self.window.height())
        self.window.resizeDocks([self.send_dock, self.messages_dock],
                                [int(height * 0.66), int(height * 0.34)], Qt.Orientation.Vertical)
        self.window.resizeDocks([self.send_dock], [340], Qt.Orientation.Horizontal)

    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Messages")
        self.lock_action = QAction("&Lock now", self.window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.binding.lock("asked"))
        self.switch_action = QAction("S&witch user…", self.window)
        self.switch_action.triggered.connect(self.switch_user)
        self.sync_action = QAction("&Check for messages", self.window)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.binding.sync)
        for action in (self.sync_action, self.lock_action, self.switch_action):
            self.window.addAction(action)
            menu.addAction(action)

    def _connect(self) -> None:
        b, w, panel = self.binding, self.window, self.send_panel
        b.signed_in.connect(self._signed_in)
        b.signed_out.connect(lambda: self.first_run.present_with(""))
        b.auth_failed.connect(self._auth_failed)
        b.demo_started.connect(self._demo_started)
        b.directory_changed.connect(self._directory)
        b.sent.connect(self._sent)
        b.send_failed.connect(lambda m: panel.show_outcome(m, ok=False))
        b.send_failed.connect(lambda _m: self.drafts.save_now())
        b.outbox_changed.connect(self.outbox_view.show_items)
        b.inbox_changed.connect(self._inbox)
        b.new_messages.connect(self._notify)
        b.offline_changed.connect(self.indicator.show_state)
        b.letter_opened.connect(self._opened)
        b.open_failed.connect(lambda m: w.report_error(m, "The message could not be opened"))
        b.locked.connect(self._locked)
        b.notice.connect(lambda m: w.status.showMessage(m, 15000))
        self.first_run.sign_in_requested.connect(b.sign_in)
        self.first_run.enrol_requested.connect(b.enrol)
        self.first_run.demo_requested.connect(lambda: b.start_demo())
        self.first_run.dismissed.connect(lambda: self._show_content(True))  # annotate only
        self.lock_screen.unlock_requested.connect(b.unlock)
        self.lock_screen.switch_user_requested.connect(self.switch_user)
        panel.sign_in_requested.connect(lambda: self.first_run.present_with(b.last_staff_id()))
        panel.send_requested.connect(self._send_requested)
        panel.preview_requested.connect(lambda: w.actions.preview.trigger())
        panel.picker.key_check_wanted.connect(
            lambda entry: show_safety_number(w, entry, self._verified))
        w.picture_loaded.connect(lambda: panel.set_has_picture(True))
        self.outbox_view.retry_requested.connect(b.retry)
        self.inbox_view.open_requested.connect(self._open)
        self.viewer.reply_requested.connect(self._reply)
        self.viewer.save_requested.connect(
            lambda path, mid: self.viewer.letter and b.save_record_copy(self.viewer.letter.image,
                                                                         path, mid))

    def start(self) -> None:
        if self.binding.is_unlocked:
            self._signed_in(self.binding.display_name)
        else:
            self.first_run.present_with(self.binding.last_staff_id())

    # signing in and locking ---------------------------------------------------------------
    def _signed_in(self, name: str) -> None:
        if self.binding.staff_id != self.signed_in_as:  # another clinician: nothing of theirs
            self.signed_in_as = self.binding.staff_id
            self.send_panel.picker.clear()
            self.send_panel.outcome.clear()
            self.send_panel.note.clear()
            self.send_panel.declaration.setCurrentIndex(0)
            self.send_panel.priority.setCurrentIndex(0)
            self.inbox_view.forget()
            self.outbox_view.clear()
        self.first_run.hide()
        self.lock_screen.hide()
        self._show_content(True)
        self.send_panel.set_signed_in(name)
        self.indicator.show_state(self.binding.offline)
        self._directory(self.binding.directory)

    def switch_user(self) -> None:
        self.drafts.put_away()
        self.send_panel.set_has_picture(False)
        self.binding.switch_user()

    def _auth_failed(self, message: str) -> None:
        (self.lock_screen if self.lock_screen.isVisible() else self.first_run).failed(message)

    def _demo_started(self, demo) -> None:
        lines = "\n".join(f"• {c.name} ({c.role}, {c.department}): staff id {c.staff_id}, "
                          f"passphrase “{c.passphrase}”" for c in demo.colleagues)
        box = QMessageBox(QMessageBox.Icon.Information, "Demo colleagues",
                          f"You are signed in as {demo.colleagues[0].name}. Send a picture to "
                          "a demo colleague, then use Messages ▸ Switch user to read it as "
                          f"them.\n\n{lines}\n\nDemo only: use no real patient data.",
                          QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _locked(self) -> None:
        """No patient content on screen or held: viewer image, opened letter, lists, notes."""
        self.viewer.clear()
        self.viewer.hide()
        self.inbox_view.forget()
        self.outbox_view.clear()
        self.window.sent_preview.switch_off()
        self._show_content(False)
        self.lock_screen.present_for(self.binding.display_name or self.binding.staff_id)

    def _show_content(self, visible: bool) -> None:
        """Locked: hide the picture and the panels, and switch off every window action so
        no shortcut (open, paste, preview, tools) acts behind the lock screen."""
        if not visible and not self._switched_off:
            self._switched_off = [a for a in self.window.findChildren(QAction) if a.isEnabled()]
            for action in self._switched_off:
                action.setEnabled(False)
        elif visible:
            for action in self._switched_off:
                action.setEnabled(True)
            self._switched_off = []
        self.window.canvas.setVisible(visible)
        self.send_dock.setVisible(visible)
        self.messages_dock.setVisible(visible)

    # sending ------------------------------------------------------------------------------
    def _directory(self, entries) -> None:
        self.send_panel.picker.set_entries(list(entries), self.binding.staff_id,
                                           self.binding.known_colleagues())

    def _verified(self, entry: dict, number: str) -> None:
        self.binding.remember_colleague(entry["staff_id"], number, verified=True)
        self._directory(self.binding.directory)
        self.send_panel.picker.choose(entry)

    def _send_requested(self, request: dict) -> None:
        picker = self.send_panel.picker
        if picker.key_changed:
            box = QMessageBox(QMessageBox.Icon.Warning, "Key changed",
                              f"{picker.current['display_name']}'s key has changed. Send only "
                              "if you have compared the safety number with them.",
                              QMessageBox.StandardButton.Cancel, self.window)
            send = box.addButton("Send anyway", QMessageBox.ButtonRole.AcceptRole)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.buttonClicked.connect(lambda b: self._send(request) if b is send else None)
            self.key_change_box = box
            box.open()
            return
        self._send(request)

    def _send(self, request: dict) -> None:
        from medsnap.ui.sent_preview import snapshot

        window, picker = self.window, self.send_panel.picker
        if window.document is None:
            return
        window.commit_text()
        entry = picker.current
        known = self.binding.known_colleagues().get(entry["staff_id"], {})
        safety = safety_number_of(entry)
        self.binding.remember_colleague(entry["staff_id"], safety, verified=bool(
            known.get("verified") and known.get("safety_number") == safety))
        remember_recent(window.settings, entry["staff_id"])
        picker.key_changed = False
        picker.warning.hide()
        self.send_panel.show_progress(f"Sending to {entry['display_name']}…")
        self.binding.send(snapshot(window.document), entry["staff_id"], note=request["note"],
                          declaration=request["declaration"], priority=request["priority"],
                          expires_days=request["expires_days"])

    def _sent(self, _message_id: str, state: str, reason: str) -> None:
        name = self.send_panel.picker.current["display_name"] if self.send_panel.picker.current \
            else "your colleague"
        if state in ("sent", "queued"):
            self.drafts.discard()  # the outbox holds it now
        else:
            self.drafts.save_now()
        if state == "failed":
            self.send_panel.show_outcome(f"Not sent: {reason} Your picture is still open; "
                                         "choose Retry in Sent when it is fixed.", ok=False)
            self.tabs.setCurrentWidget(self.outbox_view)
        elif state == "queued":
            self.send_panel.show_outcome("Queued: MedSnap is offline. It will be sent "
                                         "automatically when the connection returns.", ok=True)
        else:
            self.send_panel.show_outcome(f"✓ Sent to {name}, signed and encrypted. Sent shows "
                                         "when it is delivered and read.", ok=True)
            self.send_panel.reset_after_send()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        if self.tray is not None:
            self.tray.hide()
        self.drafts.timer.stop()
        self.drafts.save_now()
        self.idle.stop()
        self.viewer.close()
        self.binding.shutdown()


def attach_messaging(window, home=None, keystore=None, *, welcome: bool = True,
                     **binding_options) -> MessagingUi:
    binding = MessagingBinding(home, keystore, window, **binding_options)
    ui = MessagingUi(window, binding)
    if welcome:
        ui.start()
    return ui
