"""The receiving side of the window's messaging: the inbox list, the notification (no
patient content), the viewer and Reply. Mixed into MessagingUi, which owns the widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from medsnap.ui.qt_enums import Qt


class ReceivingBinding:
    # receiving ----------------------------------------------------------------------------
    #: the arrival notice in the status bar, and how many were unopened when it was said
    _arrival_notice: tuple[str, int] = ("", 0)

    def _inbox(self, items) -> None:
        self.inbox_view.show_items(items)
        unread = self.inbox_view.unread_count()
        self.tabs.setTabText(0, f"Inbox ({unread})" if unread else "Inbox")
        text, unread_then = self._arrival_notice
        if text and unread < unread_then:  # one was opened: "2 new…, 1 urgent" is stale
            self._arrival_notice = ("", 0)
            if self.window.status.currentMessage() == text:
                self.window.status.clearMessage()

    def _notify(self, count: int) -> None:
        # of the ones just fetched; counts, no content
        urgent, refused = self.binding.fresh_urgent, self.binding.fresh_refused
        # all of them since the banner was last dismissed, not just this sync's
        text = self.inbox_view.notify(count, urgent, refused)
        self.window.status.showMessage(text, 15000)  # (cleared on lock: messaging_window)
        self._arrival_notice = (text, self.inbox_view.unread_count())
        self.tabs.setCurrentWidget(self.inbox_view)
        QApplication.alert(self.window)
        if QSystemTrayIcon.isSystemTrayAvailable():  # the desktop's own notification
            if self.tray is None:
                self.tray = QSystemTrayIcon(self.window.windowIcon(), self)
                self.tray.activated.connect(lambda _reason: self.window.activateWindow())
            self.tray.show()
            self.tray.showMessage("MedSnap", text)

    def _open(self, item_id: str) -> None:
        item = self.inbox_view.items.get(item_id)
        if item is None:
            return
        if item.state == "refused":
            self.viewer.show_refusal(item)
            self._show_viewer()
        else:
            self.binding.open_item(item_id)

    def _opened(self, item, letter) -> None:
        self.viewer.show_letter(letter)  # the list came with it (inbox_changed), preview too
        self._show_viewer()

    def _save_copy(self, path: str, message_id: str) -> None:
        """The viewer's "Save a copy for the record": its outcome is said in the viewer."""
        letter = self.viewer.letter
        if letter is not None and letter.message_id == message_id:
            self.binding.save_record_copy(letter.image, path, message_id, self.viewer.tell)

    def _show_viewer(self) -> None:
        self.viewer.show()
        self.viewer.raise_()
        self.viewer.activateWindow()

    def _reply(self, letter) -> None:
        sender, window = letter.sender, self.window
        name = f"Reply to {sender.display_name}"

        def address() -> None:  # once loaded: a new picture starts with nobody chosen
            window.picture_loaded.disconnect(address)
            if window.source_name == name:  # this reply, not a later picture
                self.send_panel.picker.choose_staff_id(sender.staff_id, sender.display_name)

        window.picture_loaded.connect(address)
        window.open_bytes(letter.image, name)
        self.viewer.close()
        self.window.raise_()
        self.window.activateWindow()
        # the clinician's next keys are for the picture (a tool's key, Enter to draw): not
        # left in the Inbox list, where Enter would reopen the letter just replied to
        window.canvas.setFocus(Qt.FocusReason.OtherFocusReason)
