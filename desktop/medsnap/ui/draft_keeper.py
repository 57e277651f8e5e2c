"""Nothing drawn is lost: the open picture and its annotations are autosaved as an encrypted
draft (DraftStore, age to the clinician's own key) every 30 seconds while it changes, when
MedSnap locks, after a failed send and on closing; after a crash the next sign-in restores
it. A sent picture's draft is deleted (the outbox holds it now).

Payload: the document JSON (``medsnap.document`` v1) and the picture as PNG, joined by NUL.
The header also keeps what the send panel held (colleague, note, declaration, priority,
expiry) under "compose", so a restored draft is ready to send as it was.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

AUTOSAVE_MS = 30_000
#: a change is kept this soon after the clinician pauses (a crash lost an arrow drawn 27 s
#: before it with the 30-second timer alone); the timer still saves during long edits
SOON_AFTER_CHANGE_MS = 4_000


def draft_payload(document, source_name: str, compose: dict | None = None) -> bytes:
    from medsnap.document import document_to_json

    pixels = io.BytesIO()
    document.picture.image.save(pixels, "PNG", compress_level=1)
    header = {"document": document_to_json(document), "source_name": source_name,
              "compose": compose or {}}
    return json.dumps(header).encode("utf-8") + b"\0" + pixels.getvalue()


def read_payload(payload: bytes) -> tuple[dict, bytes, str, dict]:
    header, _, png = payload.partition(b"\0")
    value = json.loads(header.decode("utf-8"))
    return (value["document"], png, str(value.get("source_name") or "Restored picture"),
            dict(value.get("compose") or {}))


def also_kept(waiting: int, more: bool) -> str:
    """The drafts not reopened, said so that none is kept unknown to its author."""
    if waiting <= 0:
        return ""
    pictures = f"{waiting}{' more' if more else ''} unsent picture{'s' if waiting > 1 else ''}"
    return (f"{pictures.capitalize()} kept for you as encrypted drafts: Messages ▸ Drafts… "
            "lists them.")


@dataclass(frozen=True)
class DraftSummary:
    """One kept draft as the Drafts list shows it (read from the decrypted header)."""

    id: str
    saved_at: float
    name: str        # the picture's name when it was opened
    to_name: str     # the colleague chosen for it, "" if none yet
    readable: bool   # False: damaged, or sealed to another key (left in place)


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

        self.draft_id = DraftStore.new_id()
        self.dirty = True
        self.keeper = self.binding.staff_id if self.binding.session is not None else ""

    def save_now(self) -> None:
        from medsnap.ui.sent_preview import snapshot

        window, session = self.window, self.binding.session
        typed = window.callouts.typed_text()  # a callout still being typed is kept too
        if typed is not None and typed != self._typed_saved:
            self.dirty = True
            self._adopt()
        if not (self.dirty and window.document is not None and session and self.owner
                and self.keeper == self.binding.staff_id):
            return
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

        self.binding.jobs.run(work, self.saved.emit, self.binding.notice.emit,
                              "keeping a draft")

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

    def discard(self) -> None:
        """The picture was sent (or queued): its draft is no longer needed."""
        if self.binding.session is None or not self.draft_id:
            return
        store, draft_id = self._store(), self.draft_id
        self.dirty = False
        self.binding.jobs.run(lambda: store.delete(draft_id), lambda _r: None,
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

        self.binding.jobs.run(lambda: [summary(info) for info in store.pending()], done,
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

        self.binding.jobs.run(work, self._restored, self.binding.notice.emit,
                              "opening your draft")

    def delete_draft(self, draft_id: str, done: Callable[[], None]) -> None:
        """Throw draft ``draft_id`` away (not the one on screen: the editor's guard asks
        about that one)."""
        if draft_id == self.draft_id:
            return
        store = self._store()
        self.binding.jobs.run(lambda: store.delete(draft_id), lambda _r: done(),
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

        self.binding.jobs.run(work, self._restored, self.binding.notice.emit,
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
