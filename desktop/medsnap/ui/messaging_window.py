"""Sending and receiving in the editor window: binds the send panel, the inbox and sent lists,
the viewer, the first-run and lock screens and the status-bar indicator to the binding.

``attach_messaging(window)`` is called by the composition root; the editor itself knows
nothing of messaging, so it still works (and is tested) without a session.

Start-up comes in two stages when the composition root asks for it (``deferred=True``): the
binding and the welcome screen before the first paint, the panels, lists, viewer, lock screen
and menu just after it (the welcome screen covers the whole window meanwhile, so nothing is
seen half-built). Every request to the binding builds what is missing first, so no answer of
the binding can reach a panel that does not exist yet.
"""

from __future__ import annotations

from typing import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QSystemTrayIcon

from medsnap.ui.first_frame import after_first_frame
from medsnap.ui.first_run import FirstRunScreen
from medsnap.ui.messaging_binding import MessagingBinding
from medsnap.ui.messaging_panels import PanelBuilder, messaging_style_sheet
from medsnap.ui.qt_enums import Qt
from medsnap.ui.receiving_binding import ReceivingBinding
from medsnap.ui.sending_binding import SendingBinding


class MessagingUi(SendingBinding, ReceivingBinding, PanelBuilder, QObject):
    def __init__(self, window, binding: MessagingBinding, idle_check_ms: int = 15_000,
                 *, deferred: bool = False) -> None:
        super().__init__(window)
        self.window, self.binding = window, binding
        self.signed_in_as = ""
        self.tray: QSystemTrayIcon | None = None
        self._switched_off: list[QAction] = []
        self._idle_check_ms = idle_check_ms
        self.sheet = messaging_style_sheet()
        self._asking: QObject | None = None  # the screen whose sign-in or unlock is running
        self._after_welcome = ""  # a file given on the command line: opened once chosen
        self.first_run = FirstRunScreen(window)
        self.first_run.setStyleSheet(self.sheet)
        # an endpoint chosen on purpose (IT's policy, MEDSNAP_ENDPOINT): no demo
        self.first_run.offer_demo(not binding.demo_refused())
        self.first_run.demo_colleagues = binding.demo_colleagues_here
        b = self.binding
        self.first_run.sign_in_requested.connect(self._built_first(b.sign_in))
        self.first_run.enrol_requested.connect(self._built_first(b.enrol))
        self.first_run.demo_requested.connect(self._built_first(lambda: b.start_demo()))
        self.first_run.dismissed.connect(self._built_first(self._annotate_only, False))
        self.send_panel = None  # the panels: build_panels() (now, or after the first paint)
        self._waiting_for_paint = deferred
        self.closed = False
        window.installEventFilter(self)
        # torn down only once the close is certain: a question about unsent work that is
        # answered Cancel must find the session, the lock timer and the drafts as they were
        window.closing_for_good.connect(self.shutdown)
        if not deferred:
            self.build_panels()
        else:  # the welcome screen covers them: the picture and the status bar wait,
            window.canvas.hide()  # unpolished, until it goes (~30 ms less before the
            window.status.hide()  # first paint)

    def _built_first(self, request: Callable, signing_in: bool = True) -> Callable:
        def run(*args) -> None:
            self.build_panels()
            self._asking = self.first_run  # a refusal goes back to it
            # the file first: no draft is restored over it, and it is the signer's draft
            self.drafts.for_next_sign_in = signing_in and (
                bool(self._after_welcome) or self.drafts.for_next_sign_in)  # (a retry)
            self._open_waiting()
            request(*args)
        return run

    def open_after_welcome(self, path: str) -> None:
        """``medsnap FILE``: the welcome screen first, as on a plain start (the keyboard is
        in its passphrase box, not the editor's); the file opens once the clinician has
        chosen to sign in, enrol, try the demo or just annotate."""
        self._after_welcome = path
        if not self.first_run.isVisible():
            self.build_panels()
            self._open_waiting()

    def _open_waiting(self) -> None:
        path, self._after_welcome = self._after_welcome, ""
        if path:
            self.window.open_path(path)

    def _connect(self) -> None:
        from medsnap.ui.own_safety_number import add_own_safety_number

        b, w, panel = self.binding, self.window, self.send_panel
        self.own_safety_action = add_own_safety_number(self)  # Messages ▸ My safety number…
        b.signed_in.connect(self._signed_in)
        b.signed_out.connect(lambda: self.first_run.present_with(""))
        b.auth_failed.connect(self._auth_failed)
        b.demo_started.connect(self._demo_started)
        b.directory_changed.connect(self._directory)
        b.directory_searched.connect(panel.picker.searched)
        panel.picker.search_wanted.connect(b.load_directory)
        b.queued.connect(self._queued)
        b.sent.connect(self._sent)
        b.send_failed.connect(lambda m: panel.show_outcome(m, ok=False))
        b.send_failed.connect(lambda _m: self.drafts.save_now())
        b.outbox_changed.connect(self.outbox_view.show_items)
        b.outbox_changed.connect(panel.follow_queued)
        b.inbox_changed.connect(self._inbox)
        b.new_messages.connect(self._notify)
        b.offline_changed.connect(self.indicator.show_state)
        b.letter_opened.connect(self._opened)
        b.open_failed.connect(lambda m: w.report_error(m, "The message could not be opened"))
        b.locked.connect(self._locked)
        # what the status bar said (a saved copy's path, the arrival counts) is not left for
        # whoever looks next: gone on lock, Switch user and sign-out (a new picture: opening)
        b.locked.connect(w.status.clearMessage)
        b.signed_out.connect(w.status.clearMessage)
        b.notice.connect(lambda m: w.status.showMessage(m, 15000))
        self.lock_screen.unlock_requested.connect(self._unlock)
        self.lock_screen.switch_user_requested.connect(self.switch_user)
        panel.sign_in_requested.connect(lambda: self.first_run.present_with(self.last_here()))
        panel.send_requested.connect(self._send_requested)
        panel.nothing_sent.connect(self._nothing_sent)  # sending_binding
        panel.preview_requested.connect(lambda: w.actions.preview.trigger())
        panel.picker.key_check_wanted.connect(self._check_key)
        w.picture_loaded.connect(lambda: panel.set_has_picture(True))
        # an edit of the picture after a send starts the next one: its hint comes back
        w.undo_stack.indexChanged.connect(lambda _index: panel.next_started())
        self.outbox_view.retry_requested.connect(b.retry)
        self.inbox_view.open_requested.connect(self._open)
        self.viewer.reply_requested.connect(self._reply)
        self.viewer.save_requested.connect(self._save_copy)  # receiving_binding

    def start(self) -> None:
        if self.binding.is_unlocked:
            self.build_panels()
            self._signed_in(self.binding.display_name)
        else:
            self.first_run.present_with(self.last_here())

    def last_here(self) -> str:
        """The staff id the welcome screen fills in: the last clinician signed in in this
        window on this account, until they chose Switch user. Not the workstation's last
        user (the command line's ``--as`` set that), nor anyone after a Switch user: on a
        shared PC the next one at the keyboard is usually someone else, whose passphrase
        was then refused for their predecessor's id (NU5)."""
        from medsnap.ui import settings as prefs

        return prefs.LAST_SIGN_IN.read(self.window.settings)

    # signing in and locking ---------------------------------------------------------------
    def _signed_in(self, name: str) -> None:
        from medsnap.ui import settings as prefs

        prefs.LAST_SIGN_IN.write(self.window.settings, self.binding.staff_id)
        self.window.settings.sync()  # kept if MedSnap is killed: they sign in again
        if self.binding.staff_id != self.signed_in_as:  # another clinician: nothing of theirs
            self.signed_in_as = self.binding.staff_id
            self.send_panel.picker.clear(focus=False)
            self.send_panel.outcome.clear()
            self.send_panel.note.clear()
            self.send_panel.declaration.setCurrentIndex(0)
            self.send_panel.priority.setCurrentIndex(0)
            self.inbox_view.forget()
            self.outbox_view.clear()
            self.tabs.setCurrentWidget(self.inbox_view)  # not the last one's Sent tab
        self._show_content(True)
        self._hide_first_run()
        if self.window.document is not None:  # a picture on screen: its tools' keys work
            self.window.canvas.setFocus()
        if self.lock_screen.isVisible():  # unlocked: the keyboard goes back to the picture
            self.lock_screen.hide()  # (Qt's next in the focus chain was the zoom box)
            self.window.canvas.setFocus()
        self.send_panel.set_signed_in(name)
        self.indicator.show_state(self.binding.offline)
        self._directory(self.binding.directory)

    def _annotate_only(self) -> None:
        self._show_content(True)
        self.window.canvas.setFocus()  # as when the welcome screen hid with the keyboard in it

    def _hide_first_run(self) -> None:
        """The keyboard goes to the picture: the welcome screen is made before the panels,
        so Qt's next-in-focus-chain would be the send panel."""
        focus = QApplication.focusWidget()
        had_focus = focus is not None and self.first_run.isAncestorOf(focus)
        self.first_run.hide()
        if had_focus:
            self.window.canvas.setFocus()

    def show_drafts(self) -> None:
        """Messages ▸ Drafts…: only for the clinician signed in and unlocked (the list needs
        their key to read the drafts' names)."""
        if not self.binding.is_unlocked:
            self.window.status.showMessage("Sign in, or unlock, to see your drafts.", 15000)
            return
        from medsnap.ui.drafts_dialog import DraftsDialog

        dialog = DraftsDialog(self.drafts, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.drafts_dialog = dialog
        dialog.open()

    def switch_user(self) -> None:
        from medsnap.ui.window_memory import forget_recent

        from medsnap.ui import settings as prefs

        kept = self.drafts.put_away()
        forget_recent(self.window)
        self.window.settings.remove(prefs.LAST_SIGN_IN.key)  # the next one is someone else
        self.send_panel.set_has_picture(False)
        self.lock_screen.passphrase.clear()  # half typed by the one leaving
        self.binding.switch_user()
        self.lock_screen.hide()  # nobody is signed in to unlock: "Just annotate" shows the editor
        if kept:  # said, not asked: the draft is reachable, and the next one is waiting
            self.first_run.tell("The unsent picture was kept as an encrypted draft for the "
                                "clinician who drew it: it reopens when they next sign in.")

    def _unlock(self, passphrase: str) -> None:
        self._asking = self.lock_screen
        self.binding.unlock(passphrase)

    def _auth_failed(self, message: str) -> None:
        """To the screen that asked (the lock screen or the welcome screen)."""
        (self._asking or self.first_run).failed(message)

    def _demo_started(self, demo) -> None:
        from PySide6.QtWidgets import QMessageBox

        lines = "\n".join(f"• {c.name} ({c.role}, {c.department}): staff id {c.staff_id}, "
                          f"passphrase “{c.passphrase}”" for c in demo.colleagues)
        shared = (f"A demo is already running at {demo.url}; this window uses it.\n\n"
                  if getattr(demo, "already_running", False) else "")
        box = QMessageBox(QMessageBox.Icon.Information, "Demo colleagues",
                          f"{shared}You are signed in as {demo.colleagues[0].name}. Send a "
                          "picture to "
                          "a demo colleague, then use Messages ▸ Switch user to read it as "
                          f"them.\n\n{lines}\n\nDemo only: use no real patient data.",
                          QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _locked(self) -> None:
        """No patient content on screen or held: viewer image, opened letter, lists, notes;
        no dialog left working over the lock, ours (the send questions, Drafts, safety
        numbers) or Qt's (NU5: a passer-by saved the locked clinician's picture through a
        "Save a clean copy" dialog left open)."""
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
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
            for action in self._switched_off:  # File ▸ Recent's went with Switch user
                if shiboken6.isValid(action):
                    action.setEnabled(True)
            self._switched_off = []
            # what Switch user (from the lock screen) changed meanwhile: no picture, no
            # undo history of the previous clinician given back to the next
            self.window.actions_follow_picture()
        self.window.canvas.setVisible(visible)
        self.window.set_title_private(not visible)
        if visible:
            self.window.status.show()
        self.send_dock.setVisible(visible)
        self.messages_dock.setVisible(visible)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window:
            if self._waiting_for_paint and event.type() in (QEvent.Type.Paint,
                                                            QEvent.Type.UpdateRequest):
                self._waiting_for_paint = False
                after_first_frame(self, self.build_panels)
        return False

    def shutdown(self) -> None:
        if self.closed:
            return
        self._waiting_for_paint, self.closed = False, True
        if self.send_panel is None:  # closed before the panels were built
            self.binding.shutdown()
            return
        if self.tray is not None:
            self.tray.hide()
        self.drafts.timer.stop()
        self.drafts.soon.stop()
        self.drafts.save_now()
        self.idle.stop()
        self.viewer.close()
        self.binding.shutdown()


def attach_messaging(window, home=None, keystore=None, *, welcome: bool = True,
                     deferred: bool = False, **binding_options) -> MessagingUi:
    """``deferred`` (with ``welcome``, whose screen covers them meanwhile): build the
    panels just after the window's first paint, not before returning."""
    # the window's settings: Lock after idle and Keep messages are the user's where policy
    # leaves them free, as the editor's own choices are
    binding = MessagingBinding(home, keystore, window, settings=window.settings,
                               **binding_options)
    ui = MessagingUi(window, binding, deferred=deferred)
    if welcome:
        ui.start()
    return ui
