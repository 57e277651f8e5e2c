"""Nothing drawn is lost: the open picture and its annotations are autosaved as an encrypted
draft (DraftStore, age to the clinician's own key) every 30 seconds while it changes, when
MedSnap locks, after a failed send and on closing; after a crash the next sign-in restores
it. A sent picture's draft is deleted (the outbox holds it now). Another picture opened
over an annotated one keeps it as a draft first (``keep_aside``). What a draft holds:
draft_payload. Drafts are written on the binding's local thread, never behind a network call
(a sync waiting on a hung endpoint held every autosave back).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from medsnap.ui.draft_payload import (  # noqa: F401 - also named here by the Drafts list
    DraftSummary, also_kept, draft_payload, read_payload)

AUTOSAVE_MS = 30_000
#: a change is kept this soon after the clinician pauses (a crash lost an arrow drawn 27 s
#: before it with the 30-second timer alone); the timer still saves during long edits
SOON_AFTER_CHANGE_MS = 4_000


class DraftKeeper(QObject):
    saved = Signal(str)  # draft id
    restored = Signal(str)
    compose_restored = Signal(dict)  # the send panel's fields kept with the draft

    def __init__(self, window, binding, autosave_ms: int = AUTOSAVE_MS) -> None:
        super().__init__(window)
        self.window, self.binding = window, binding
        self.draft_id = ""
        self.keeper = ""  # staff id whose draft the picture on screen is ("": nobody's yet)
        self._on_screen = ""  # what sign-in did with a picture already open, said once
        self.for_next_sign_in = False  # opened by the one now signing in (medsnap FILE)
        self.owner = None  # the clinician's public X25519 key: saving needs no secret
        self.dirty = False
        self.compose: Callable[[], dict] = dict  # the send panel's fields, set by its owner
        self._pending_restore: dict | None = None
        self._also_kept = ""  # drafts not reopened at this sign-in, said in the status bar
        self._typed_saved: str | None = None  # the unfinished callout's words last kept
        self._keeping_aside = False  # keep_aside's draft is being written
        self._set_aside: tuple[str, str] | None = None  # (draft id, name) kept for the next
        self.timer = QTimer(self)
        self.timer.setInterval(autosave_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        self.soon = QTimer(self)  # restarted by every change: saves once the edits pause
        self.soon.setSingleShot(True)
        self.soon.setInterval(SOON_AFTER_CHANGE_MS)
        self.soon.timeout.connect(self.save_now)
        window.undo_stack.indexChanged.connect(self._changed)
        window.picture_loaded.connect(self._picture_loaded)
        binding.signed_in.connect(self._signed_in)
        binding.locked.connect(self.save_now)

    def _store(self):
        from medsnap.messaging.drafts import DraftStore

        session = self.binding.session
        return DraftStore(session.profile.drafts_folder, session.audit)

    def _signed_in(self, _name: str) -> None:
        self.owner = self.binding.session.clinician.encryption_key.public_key()
        self._on_screen = ""
        staff_id, window = self.binding.staff_id, self.window
        opening = window.canvas.busy_text.startswith("Opening")  # theirs once loaded
        if self.for_next_sign_in:
            self.for_next_sign_in = False
            if window.document is not None:
                self._adopt()
        if window.document is not None and self.keeper != staff_id:
            # opened before this sign-in (perhaps by someone else on a shared PC): work on it
            # is kept, an untouched picture is nobody's draft until this clinician touches it
            if window.unsaved.unsent():
                self._adopt()
                self._on_screen = ("The picture on screen, annotated before you signed in, "
                                   "is kept as your encrypted draft until you send it.")
            else:
                self.dirty = False
                self._on_screen = ("The picture on screen was opened before you signed in: "
                                   "it becomes your encrypted draft once you annotate it or "
                                   "choose whom to send it to.")
        self.restore_latest(open_it=window.document is None and not opening)

    def _adopt(self) -> None:
        if self.binding.session is not None:
            self.keeper = self.binding.staff_id
            self.dirty = True

    def _changed(self, _index: int) -> None:
        self.dirty = True
        self._adopt()  # an edit after sign-in makes the picture this clinician's draft
        if self.timer.isActive():  # not after a shutdown
            self.soon.start()

    def compose_changed(self) -> None:
        """The send panel changed: a colleague, note or declaration set for this picture
        touches it (the panel emptied at sign-in or for a new picture does not)."""
        self.dirty = True
        state = self.compose()
        if state.get("to") or (state.get("note") or "").strip() or state.get("declaration"):
            self._adopt()
        if self.timer.isActive():
            self.soon.start()

    def _picture_loaded(self) -> None:
        if self._pending_restore is not None:
            self._apply_restore()
            return
        from medsnap.messaging.drafts import DraftStore

        set_aside, self._set_aside = self._set_aside, None
        if set_aside is not None and set_aside[0] == self.draft_id:  # kept for this one
            status = self.window.status
            said = status.currentMessage()  # "This file has 3 pages…"
            kept = (f"{set_aside[1]} and its annotations kept as a draft: Messages ▸ Drafts… "
                    "reopens it.")
            status.showMessage(f"{said} {kept}" if said else kept, 20000)
        self.draft_id = DraftStore.new_id()
        self.dirty = True
        self.keeper = self.binding.staff_id if self.binding.session is not None else ""

    def save_now(self) -> None:
        self._save()

    def _save(self, done: Callable[[], None] | None = None,
              failed: Callable[[str], None] | None = None) -> bool:
        """Write the draft off the UI thread (after any earlier write: one thread), if it
        changed; False when there is nothing to write or nobody to keep it for."""
        from medsnap.ui.sent_preview import snapshot

        window, session = self.window, self.binding.session
        typed = window.callouts.typed_text()  # a callout still being typed is kept too
        if typed is not None and typed != self._typed_saved:
            self.dirty = True
            self._adopt()
        if not (self.dirty and window.document is not None and session and self.owner
                and self.keeper == self.binding.staff_id):
            return False
        self.dirty, self._typed_saved = False, typed
        self.soon.stop()  # saved now
        store, draft_id, owner = self._store(), self.draft_id, self.owner
        copy, name, compose = snapshot(window.document), window.source_name, self.compose()
        typing = window.callouts.typed_edit()
        if typing is not None:
            typing.apply(copy)

        def work():
            store.save(draft_id, draft_payload(copy, name, compose), owner)
            return draft_id

        def written(saved_id: str) -> None:
            self.saved.emit(saved_id)
            if done is not None:
                done()

        def not_written(message: str) -> None:
            self.dirty = True  # still to be kept: the next autosave tries again
            (failed or self.binding.notice.emit)(message)

        self.binding.local_jobs.run(work, written, not_written, "keeping a draft")
        return True

    def keep_aside(self, then: Callable[[], None], refused: Callable[[str], None]) -> bool:
        """Another picture is to replace this one (File ▸ Open, paste, capture, drop):
        signed in and unlocked, its encrypted draft keeps it (Messages ▸ Drafts… reopens
        it), so nothing needs to be asked. ``then`` runs once the draft is written (never
        before: nothing is lost if writing fails), ``refused(reason)`` if it could not be.
        False when no draft can keep it (nobody signed in, or locked)."""
        window, binding = self.window, self.binding
        if not (binding.is_unlocked and self.owner and self.draft_id
                and window.document is not None):
            return False
        if self._keeping_aside:  # asked twice while the first draft is written
            return True
        self.dirty = True  # written now, whatever the timers last wrote
        self._adopt()
        draft_id, name = self.draft_id, window.source_name

        def written() -> None:
            self._keeping_aside = False
            if self.draft_id != draft_id or window.closing or not binding.is_unlocked:
                return  # locked or closed meanwhile: the picture stays, in its draft
            if self.dirty:  # drawn on while it was written: once more
                self.keep_aside(then, refused)
                return
            self._set_aside = (draft_id, name)
            window.status.clearMessage()  # "Keeping…": said again once the next one is in
            then()

        def not_written(reason: str) -> None:
            self._keeping_aside = False
            window.status.clearMessage()
            refused(reason)

        self._keeping_aside = self._save(written, not_written)
        if not self._keeping_aside:
            return False
        window.status.showMessage(f"Keeping {name} as an encrypted draft…", 10000)
        return True

    def keeps(self) -> bool:
        """Signed in with the picture's draft being kept (the question's wording)."""
        return bool(self.binding.session is not None and self.owner and self.draft_id)

    def keep_now(self) -> bool:
        """Before the window closes: True when the encrypted draft keeps it (signed in,
        locked or not: sealing needs only the clinician's public key), so nothing needs to
        be asked, and no file name is shown over the lock screen."""
        if not (self.binding.session is not None and self.owner):
            return False
        self.save_now()  # the job holds its own snapshot
        return True

    def put_away(self) -> bool:
        """Switch user: keep the picture as this clinician's draft and empty the editor, so
        the next clinician on the workstation never sees it (their sign-in restores it).
        True when there was unsent work, now in the draft."""
        window = self.window
        if window.document is None:
            return False
        window.commit_text()  # text being typed belongs in the draft
        unsent = window.unsaved.unsent()
        self.save_now()  # the job holds its own snapshot
        kept = unsent and self.owner is not None and self.keeper == self.binding.staff_id
        window.close_document()
        self.draft_id, self.keeper = "", ""
        self.dirty = False
        return kept

    def discard(self, draft_id: str = "") -> None:
        """The picture was sent (or queued): its draft is no longer needed. ``draft_id``: the
        sent picture's, when another picture may be on screen by now (default: this one's)."""
        draft_id = draft_id or self.draft_id
        if self.binding.session is None or not draft_id:
            return
        if draft_id == self.draft_id:  # (another picture's draft keeps its state)
            self._set_aside = None
            self.dirty = False
        store = self._store()
        self.binding.local_jobs.run(lambda: store.delete(draft_id), lambda _r: None,
                                    lambda _m: None, "deleting the draft")

    def list_drafts(self, done: Callable[[list[DraftSummary]], None]) -> None:
        """The signed-in clinician's drafts, newest first, with their pictures' names (each
        is decrypted off the UI thread to read them; nothing is written)."""
        from medsnap.errors import DocumentError

        key, store = self.binding.session.clinician.encryption_key, self._store()

        def summary(info) -> DraftSummary:
            try:
                _doc, _png, name, compose = read_payload(store.restore(info.id, key))
            except (DocumentError, ValueError, KeyError):
                return DraftSummary(info.id, info.saved_at, "Unreadable draft", "", False)
            return DraftSummary(info.id, info.saved_at, name, compose.get("to_name") or "",
                                True)

        self.binding.local_jobs.run(lambda: [summary(info) for info in store.pending()], done,
                              self.binding.notice.emit, "listing your drafts")

    def open_draft(self, draft_id: str) -> None:
        """Draft ``draft_id`` into the editor; the picture on screen, if it is this
        clinician's, is kept as a draft first (reachable from the same list)."""
        if draft_id == self.draft_id and self.window.document is not None:
            return  # already on screen
        self.put_away()
        session, store = self.binding.session, self._store()

        def work():
            payload = store.restore(draft_id, session.clinician.encryption_key)
            return 0, (draft_id, read_payload(payload))

        self.binding.local_jobs.run(work, self._restored, self.binding.notice.emit,
                              "opening your draft")

    def delete_draft(self, draft_id: str, done: Callable[[], None]) -> None:
        """Throw draft ``draft_id`` away (not the one on screen: the editor's guard asks
        about that one)."""
        if draft_id == self.draft_id:
            return
        store = self._store()
        self.binding.local_jobs.run(lambda: store.delete(draft_id), lambda _r: done(),
                              self.binding.notice.emit, "deleting the draft")

    def restore_latest(self, open_it: bool = True) -> None:
        """The newest draft back in the editor (``open_it``: it is empty); any others are
        counted and said, so none is kept where the clinician does not know of it."""
        session = self.binding.session
        store = self._store()
        on_screen = self.draft_id if self.window.document is not None else ""

        def work():  # the picture on screen is not "kept for you" elsewhere: not counted
            drafts = [draft for draft in store.pending() if draft.id != on_screen]
            if not drafts or not open_it:
                return len(drafts), None
            payload = store.restore(drafts[0].id, session.clinician.encryption_key)
            return len(drafts), (drafts[0].id, read_payload(payload))

        self.binding.local_jobs.run(work, self._restored, self.binding.notice.emit,
                              "restoring your unsent picture")

    def _restored(self, result) -> None:
        count, found = result
        opening = found is not None and self.window.document is None
        self._also_kept = also_kept(count - 1 if opening else count, more=opening)
        if not opening:
            said = " ".join(part for part in (self._on_screen, self._also_kept) if part)
            if said:
                self.window.status.showMessage(said, 30000)
            return
        draft_id, (document_json, png, name, compose) = found
        self._pending_restore = {"id": draft_id, "document": document_json, "compose": compose}
        self.window.open_bytes(png, name)

    def _apply_restore(self) -> None:
        from medsnap.document import document_from_json
        from medsnap.document.edits import AddAnnotation, SetCrop

        pending, self._pending_restore = self._pending_restore, None
        window = self.window
        saved = document_from_json(pending["document"], window.document.picture)
        if saved.crop is not None:
            window.push(SetCrop(None, saved.crop))
        for annotation in saved.annotations:
            window.push(AddAnnotation(annotation))
        self.draft_id = pending["id"]
        self.keeper = self.binding.staff_id
        self.dirty = False
        self.compose_restored.emit(pending.get("compose") or {})
        window.status.showMessage("Restored your unsent picture and its annotations. "
                                  + self._also_kept, 30000 if self._also_kept else 15000)
        self.restored.emit(self.draft_id)
