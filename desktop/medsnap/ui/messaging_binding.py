"""The window's handle on the messaging engine: engine calls run through Jobs, results come
back as signals. Widgets only bind to these signals; nothing here touches a widget.

Every engine call runs on ONE worker thread (a private pool of one thread that never
expires): the session is not thread-safe and SQLite connections belong to their thread, so
each job opens the outbox/inbox it needs and closes them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QSettings, QThreadPool, QTimer, Signal

from medsnap.messaging.profile import Workstation, medsnap_home
from medsnap.ui.demo_revival import DemoRevival
from medsnap.ui.jobs import Jobs
from medsnap.ui.message_traffic import MessageTraffic

SYNC_INTERVAL_MS = 10_000


def policy(key: str, default: Any, user: Mapping[str, object] | None = None) -> Any:
    """The value in force: admin policy, then the ``user``'s choices, then the default."""
    try:
        from medsnap.config import load_config

        return load_config(user)[key]
    except Exception:  # an unreadable policy is reported by the config package itself
        return default


class MessagingBinding(DemoRevival, MessageTraffic, QObject):
    signed_in = Signal(str)  # the clinician's signed display name
    signed_out = Signal()
    auth_failed = Signal(str)
    demo_started = Signal(object)  # DemoEndpoint
    directory_changed = Signal(object)  # list of directory entries
    directory_searched = Signal(str)  # the endpoint answered a search for this text
    sending = Signal()
    queued = Signal(str)  # outbox id: sealed and durably in the outbox, before any upload
    sent = Signal(str, str, str)  # outbox id, state, reason
    send_failed = Signal(str)
    outbox_changed = Signal(object)  # list of OutboxItem
    inbox_changed = Signal(object)  # list of InboxItem
    new_messages = Signal(int)
    offline_changed = Signal(str)  # "" when online, else why not
    letter_opened = Signal(object, object)  # InboxItem, OpenedLetter
    open_failed = Signal(str)
    locked = Signal()
    notice = Signal(str)  # a plain-words outcome for the status bar
    demo_restarted = Signal()  # the demo endpoint was started again here (status_notices)

    def __init__(self, home: Path | None = None, keystore=None, parent: QObject | None = None,
                 sync_interval_ms: int = SYNC_INTERVAL_MS,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.home = Path(home) if home else medsnap_home()
        self.keystore = keystore
        #: the window's QSettings: the user's choices (Edit > Settings) where policy leaves
        #: them free; Lock after idle and Keep messages only as far as user_choice_limits
        #: lets them (a ward's clinicians share one login); None: policy and defaults only
        self.settings = settings
        self.session = None
        self.staff_id = ""
        self.display_name = ""
        self.demo = None
        self.demo_port: int | None = None  # None: the demo's usual port (another if taken)
        self.directory: list[dict] = []
        self.directory_offline = False  # the directory could not be asked: cached ones only
        self.offline = ""
        self._syncing = False
        self._reviving = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # one thread for the whole run: SQLite and the session
        self.jobs = Jobs(self, self._pool)
        # sealing into the outbox and keeping drafts need no network: their own thread, so
        # a send is durably queued, and work kept, at once while a sync waits on an endpoint
        # that does not answer
        self._local_pool = QThreadPool(self)
        self._local_pool.setMaxThreadCount(1)
        self._local_pool.setExpiryTimeout(-1)
        self.local_jobs = Jobs(self, self._local_pool)
        self.timer = QTimer(self)
        self.timer.setInterval(sync_interval_ms)
        self.timer.timeout.connect(self.sync)
        self.offline_changed.connect(  # back online: the whole directory again
            lambda reason: self.directory_offline and not reason and self.load_directory())
        self.offline_changed.connect(self._demo_gone_offline)

    @property
    def workstation(self) -> Workstation:
        return Workstation(self.home)

    def user_choices(self) -> dict[str, object]:
        """The user's stored choices, read on the UI thread (QSettings is not shared with
        the worker: the session gets a copy of them at each sync)."""
        from medsnap.ui.editor_policy import user_values

        return user_values(self.settings) if self.settings is not None else {}

    def setting(self, key: str, default: Any) -> Any:
        """The value the window obeys: policy, then the user's choice, then the default.
        Read afresh at each use, so a choice saved in Edit > Settings counts at once."""
        return policy(key, default, self.user_choices())

    @property
    def is_unlocked(self) -> bool:
        return self.session is not None and not self.session.keys.is_locked

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[str], None], what: str) -> None:
        self.jobs.run(work, done, failed, what)

    # signing in -----------------------------------------------------------------------
    def sign_in(self, staff_id: str, passphrase: str) -> None:
        from medsnap.messaging.session import sign_in

        desk, keystore, revive = self.workstation, self.keystore, self._revive_demo_work
        staff_id = staff_id.strip()
        refused = self.demo_refused(staff_id)
        if refused:  # not signed in against a dead demo's address, nor a demo started
            self.auth_failed.emit(refused)
            return

        def work():
            from medsnap.errors import MedSnapError

            try:
                demo = revive(staff_id)  # a demo colleague: the demo back first, if it died
            except MedSnapError:  # signed in offline all the same: the next sync says why
                demo = None
            return demo, sign_in(desk, staff_id, passphrase, keystore=keystore)

        def done(result) -> None:
            self._keep_demo(result[0])
            self._signed_in(result[1])
            if result[0] is not None and not result[0].already_running:
                self.demo_restarted.emit()

        self._run(work, done, self.auth_failed.emit, "signing in")

    def enrol(self, staff_id: str, code: str, passphrase: str) -> None:
        from medsnap.messaging.session import enrol

        desk, keystore = self.workstation, self.keystore
        self._run(lambda: enrol(desk, staff_id.strip(), code.strip(), passphrase,
                                keystore=keystore),
                  self._signed_in, self.auth_failed.emit, "enrolling")

    def _signed_in(self, session) -> None:
        if self.session is not None and self.session is not session:
            self.jobs.run(self.session.close, lambda _r: None, lambda _m: None, "signing out")
        self.session = session
        self.staff_id = session.staff_id
        self.display_name = session.profile.facts().get("display_name") or session.staff_id
        self.signed_in.emit(self.display_name)
        self.load_directory()
        self.sync()
        self.timer.start()

    def unlock(self, passphrase: str) -> None:
        """The same session's keys again: one scrypt derivation, off the UI thread."""
        from medsnap.messaging.unlock import unlock_session

        session, keystore = self.session, self.keystore
        if session is None:
            return

        def done(_result) -> None:
            if self.session is session:  # not switched to someone else meanwhile
                self._signed_in(session)

        self._run(lambda: unlock_session(session, passphrase, keystore), done,
                  self.auth_failed.emit, "unlocking")

    # locking --------------------------------------------------------------------------
    def touch(self) -> None:
        if self.is_unlocked:
            self.session.touch()

    def lock_if_idle(self, timeout_minutes: float | None = None) -> bool:
        if not self.is_unlocked:
            return False
        if timeout_minutes is None:
            from medsnap.messaging.user_choice_limits import lock_timeout_minutes

            # the user's choice only shortens it: one login is shared by a ward's clinicians
            timeout_minutes = lock_timeout_minutes(self.user_choices())
        if self.session.lock_if_idle(timeout_minutes):
            self.timer.stop()
            self.locked.emit()
            return True
        return False

    def lock(self, why: str = "asked") -> None:
        if self.session is None:
            return  # nobody signed in: nothing to lock (the editor holds no letters)
        if self.is_unlocked:
            self.session.lock()
            self.session.audit.record("lock", staff_id=self.staff_id, why=why)
        self.timer.stop()
        self.locked.emit()

    def switch_user(self) -> None:
        self.lock("switch user")
        if self.session is not None:
            self.session.transport.close()
        self.session = None
        self.signed_out.emit()

    # the directory --------------------------------------------------------------------
    def load_directory(self, text: str = "") -> None:
        session = self.session
        if session is None:
            return

        def work():
            from medsnap.messaging.errors import EndpointRefusedRequest, EndpointUnreachable

            transport = session.transport
            try:
                found = transport.call(transport.client.search, text)
                if text.strip() and not found:  # name, staff id or e-mail; or a department
                    found = transport.call(transport.client.search, department=text.strip())
                if text.strip() and not found:  # a staff id, as 'medsnap send --to' takes
                    try:
                        found = [transport.call(transport.client.lookup, text.strip())]
                    except EndpointRefusedRequest:
                        pass
                session.crl(refresh=False)  # kept now: sealing a send needs no network call
                return found, False
            except EndpointUnreachable:  # the colleagues sent to before, from the engine's
                return list(session.known_colleagues().values()), True  # local cache

        def done(result) -> None:
            self._directory_loaded(result)
            if text:
                self.directory_searched.emit(text)

        self._run(work, done, lambda _m: None, "looking up colleagues")

    def _directory_loaded(self, result: tuple[list[dict], bool]) -> None:
        entries, self.directory_offline = result
        known = {e["staff_id"]: e for e in self.directory}
        known.update({e["staff_id"]: e for e in entries})
        self.directory = sorted(known.values(), key=lambda e: e["display_name"].lower())
        self.directory_changed.emit(self.directory)

    def colleague_name(self, staff_id: str) -> str:
        found = next((e for e in self.directory if e["staff_id"] == staff_id), None) or \
            (self.session.known_colleagues().get(staff_id) if self.session else None)
        return found["display_name"] if found else staff_id

    def wait_for_jobs(self, msecs: int = 30000) -> bool:
        """Until the local work (sealing, drafts) and then the endpoint work are done."""
        local_done = self.local_jobs.wait(msecs)
        return self.jobs.wait(msecs) and local_done  # (both waited for, always)

    def shutdown(self) -> None:
        self.timer.stop()
        self.wait_for_jobs(15000)
        if self.session is not None:
            self.session.close()
            self.session = None
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
