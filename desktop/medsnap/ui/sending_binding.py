"""The sending side of the window's messaging: the colleague list, the safety number, the
questions before a Send (not identifiable? sent already?), sealing into the outbox and the
outcome under the button. Mixed into MessagingUi, which owns the widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


class SendingBinding:
    #: the draft of the picture being sealed: deleted once it is queued, even if another
    #: picture (with a draft of its own) was opened meanwhile
    _sending_draft = ""

    # sending ------------------------------------------------------------------------------
    def _directory(self, entries) -> None:
        self.send_panel.picker.set_entries(list(entries), self.binding.staff_id,
                                           self.binding.known_colleagues())
        self.send_panel.picker.show_offline(self.binding.directory_offline)

    def _check_key(self, entry: dict) -> None:
        from medsnap.ui.colleague_key_dialogs import show_safety_number

        show_safety_number(self.window, entry, self._verified)

    def _verified(self, entry: dict, number: str) -> None:
        self.binding.remember_colleague(entry["staff_id"], number, verified=True)
        self._directory(self.binding.directory)
        self.send_panel.picker.choose(entry)

    def _send_requested(self, request: dict) -> None:
        from medsnap.ui.identifiable_guard import confirm_not_identifiable, identifying_reason

        picker = self.send_panel.picker
        reason = identifying_reason(self.window.document) if self.window.document else ""
        if request["declaration"] == "not-identifiable" and reason and not request.get(
                "declared_knowingly"):
            self.identifiable_box = confirm_not_identifiable(
                self.window, self.window.document, reason,
                lambda: self._send_requested({**request, "declared_knowingly": True}))
            return  # (a lock closes it: MessagingUi._locked closes every dialog)
        when = self.resend.sent_at(self.window.document, request["to"])
        if when and not request.get("again"):  # the same picture to the same colleague
            from medsnap.ui.resend_guard import confirm_resend

            self.resend_box = confirm_resend(self.window, picker.current["display_name"], when,
                                             lambda: self._send_requested({**request,
                                                                           "again": True}))
            return
        self._send(request)

    def _send(self, request: dict) -> None:
        from medsnap.ui.colleague_picker import remember_recent, safety_number_of
        from medsnap.ui.sent_preview import snapshot

        window, picker = self.window, self.send_panel.picker
        if window.document is None or picker.current is None or not self.binding.is_unlocked:
            return  # a question answered after a lock, a switch or another picture
        window.commit_text()
        entry = picker.current
        known = self.binding.known_colleagues().get(entry["staff_id"], {})
        safety = safety_number_of(entry)
        self.binding.remember_colleague(entry["staff_id"], safety, verified=bool(
            known.get("verified") and known.get("safety_number") == safety))
        remember_recent(window.settings, self.binding.staff_id, entry["staff_id"])
        picker.key_changed = False
        picker.warning.hide()
        self.send_panel.show_progress(f"Sending to {entry['display_name']}…")
        self.resend.sending(window.document, entry["staff_id"])
        # what changed since the last autosave is kept at once: sealing may first wait up to
        # KEY_CHECK_SECONDS for the endpoint (newer_keys_meanwhile), and a crash meanwhile
        # must lose nothing; the draft goes once the letter is queued (_queued; same thread)
        self._sending_draft = self.drafts.draft_id
        self.drafts.save_now()
        self.binding.send(snapshot(window.document), entry["staff_id"], note=request["note"],
                          declaration=request["declaration"], priority=request["priority"],
                          expires_days=request["expires_days"],
                          quality=window.policy.jpeg_quality)

    def _queued(self, message_id: str) -> None:
        """Sealed and in the outbox: it survives a crash now, so the draft goes, and the
        picture's work counts as sent (no "not saved or sent" question unless edited
        again; an edit made while it was being sealed is not in it, so it stays unsent)."""
        self.send_panel.reset_after_send()  # first: clearing the note is no unsent change
        focused = QApplication.focusWidget()
        if focused is None or focused is self.send_panel.send or focused is \
                self.window.status.zoom:  # Send disabled itself: not to the zoom box
            self.window.canvas.setFocus()
        self.drafts.discard(self._sending_draft)
        if self.resend.unchanged_since_sending():
            self.window.undo_stack.setClean()
        self.resend.sent()
        self.send_panel.show_queued(message_id, self._colleague_name(), sending=True)

    def _nothing_sent(self) -> None:
        """A refused send: the picture is unsent again (closing asks, a draft is kept, and
        the next Send is not called a second one)."""
        if self.window.undo_stack.isClean():
            self.window.undo_stack.resetClean()
        self.resend.forget()
        self.drafts.compose_changed()

    def _colleague_name(self) -> str:
        current = self.send_panel.picker.current
        return current["display_name"] if current else "your colleague"

    def _sent(self, message_id: str, state: str, reason: str) -> None:
        """The first attempt to upload a queued message ended (an older one's is ignored)."""
        panel = self.send_panel
        if panel._queued is None or panel._queued[0] != message_id:
            return
        name = panel._queued[1]
        if state == "failed":
            panel.refused(name, reason)
            self.tabs.setCurrentWidget(self.outbox_view)
        elif state == "queued":
            panel.show_queued(message_id, name)  # followed until it leaves
        else:
            panel._queued = None
            panel.show_outcome(f"✓ Sent to {name}, signed and encrypted. Sent shows "
                               "when it is delivered and read.", ok=True)
