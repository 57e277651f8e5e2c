"""The messaging panels of the editor window, built once: the send panel and the message
lists in docks, the letter viewer, the lock screen, the status-bar indicator and the
Messages menu. Mixed into MessagingUi, which builds them before returning or, at start-up,
just after the first paint (see messaging_window)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence

from medsnap.ui.qt_enums import Qt


def messaging_style_sheet() -> str:
    from medsnap.ui.icons import RESOURCES

    path = RESOURCES / "style" / "messaging.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _dock(window, title: str, name: str, widget):
    from PySide6.QtWidgets import QDockWidget

    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    return dock


class PanelBuilder:
    def build_panels(self) -> None:
        """Build the panels and bind them (once; later calls do nothing)."""
        if self.send_panel is not None or self.closed:
            return
        # imported here: none of them is needed for the first frame
        from PySide6.QtWidgets import QTabWidget

        from medsnap.ui.draft_keeper import DraftKeeper
        from medsnap.ui.inbox_view import InboxView
        from medsnap.ui.letter_viewer import LetterViewer
        from medsnap.ui.lock_screen import IdleWatcher, LockScreen
        from medsnap.ui.outbox_view import OfflineIndicator, OutboxView
        from medsnap.ui.resend_guard import ResendGuard
        from medsnap.ui.send_panel import SendPanel

        window, binding = self.window, self.binding
        self._waiting_for_paint = False
        self.send_panel = SendPanel(window.settings)  # its fields scroll, its Send row not
        self.send_panel.setMinimumWidth(300)
        self.send_dock = _dock(window, "Send", "sendDock", self.send_panel)
        self.inbox_view = InboxView()
        self.outbox_view = OutboxView(binding.colleague_name)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inbox_view, "Inbox")
        self.tabs.addTab(self.outbox_view, "Sent")
        self.messages_dock = _dock(window, "Messages", "messagesDock", self.tabs)
        window.splitDockWidget(self.send_dock, self.messages_dock, Qt.Orientation.Vertical)
        QTimer.singleShot(0, self._size_docks)  # once the window has its size
        # policy, then the user's choice in Edit > Settings, as the editor's Save a copy
        self.viewer = LetterViewer(lambda: binding.setting("allow_save_copy", True), window,
                                   folders=window.folders)
        self.lock_screen = LockScreen(window)
        self.first_run.raise_()  # above the docks and the lock screen, made after it
        self.indicator = OfflineIndicator(window.status)
        window.status.addPermanentWidget(self.indicator)
        self.idle = IdleWatcher(binding, self._idle_check_ms, self)
        # before the draft keeper's: a restored draft's fields then replace the cleared ones
        window.picture_loaded.connect(self.send_panel.new_picture)
        self.drafts = DraftKeeper(window, binding)
        self.drafts.compose = self.send_panel.compose_state
        window.unsaved.keep_in_draft = self.drafts.keep_now
        window.unsaved.keep_aside = self.drafts.keep_aside
        window.unsaved.has_draft = self.drafts.keeps
        window.unsaved.forget_draft = self.drafts.discard
        self.drafts.compose_restored.connect(self.send_panel.restore_compose)
        panel = self.send_panel  # a change of what is to be sent is a change of the draft
        for changed in (panel.note.textChanged, panel.declaration.currentIndexChanged,
                        panel.priority.currentIndexChanged, panel.picker.chosen):
            changed.connect(lambda *_args: self.drafts.compose_changed())
        self.resend = ResendGuard(window.undo_stack)
        for widget in (self.send_dock, self.messages_dock, self.viewer, self.lock_screen,
                       self.indicator):
            widget.setStyleSheet(self.sheet)
        self._build_menu()
        self._connect()
        from medsnap.ui.status_notices import StatusNotices

        self.notices = StatusNotices(window.status, binding, self)  # after _connect's

    def _size_docks(self) -> None:
        height = max(400, self.window.height())
        # the send panel as tall as its fields need (its colleague list open), at most 70 %:
        # the rest goes to the messages, which at 768 px high showed only two
        title = self.send_dock.fontMetrics().height() + 12  # the dock's own title bar
        wanted = self.send_panel.sizeHint().height() + title + 24  # + scroll frame, spacing
        send = min(int(height * 0.7), wanted)
        self.window.resizeDocks([self.send_dock, self.messages_dock],
                                [send, height - send], Qt.Orientation.Vertical)
        # a quarter of the window, so a wide screen shows more of each note preview
        width = min(480, max(340, self.window.width() // 4))
        self.window.resizeDocks([self.send_dock], [width], Qt.Orientation.Horizontal)

    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Messages")
        send = getattr(self.window.actions, "send", None)  # bound with the send panel's dock
        if send is not None:  # said in a menu, not only in the button's tooltip
            send.setText("&Send picture")
            menu.addAction(send)
            menu.addSeparator()
        self.lock_action = QAction("&Lock now", self.window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.binding.lock("asked"))
        self.switch_action = QAction("S&witch user…", self.window)
        self.switch_action.triggered.connect(self.switch_user)
        self.sync_action = QAction("&Check for messages", self.window)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.binding.sync)
        self.drafts_action = QAction("&Drafts…", self.window)
        self.drafts_action.setStatusTip("Unsent pictures kept for you: open or delete one")
        self.drafts_action.triggered.connect(self.show_drafts)
        for action in (self.sync_action, self.drafts_action, self.lock_action,
                       self.switch_action):
            self.window.addAction(action)
            menu.addAction(action)
        self.viewer.addAction(self.lock_action)  # its own window: Ctrl+L locks there too
