"""The demo default: an embedded endpoint on 127.0.0.1 with a demo CA and demo colleagues.

Everything lives in ``<MEDSNAP_HOME>/demo`` (SQLite); the workstation file is pointed at the
demo endpoint, so ``medsnap send/inbox`` and the window work against it. Each demo colleague
is enrolled on this workstation with a passphrase printed on screen, so a newcomer can send to
a colleague and then read it as that colleague. The demo CA is not a hospital's: a pinned
policy root never matches it, and demo data is for trying MedSnap only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from medsnap.crypto.keystore import KeyStore
from medsnap.messaging.demo_colleagues import COLLEAGUES, DemoColleague, colleagues_here
from medsnap.messaging.demo_keyring import demo_keystore
from medsnap.messaging.errors import DemoAlreadyRunning, DemoPortBusy
from medsnap.messaging.profile import DEMO_ROOT_KEY, Workstation, root_fingerprint
from medsnap.messaging.session import enrol
from medsnap_endpoint.client import EndpointClient, EndpointRefused
from medsnap_endpoint.http_pool import ConnectionFailure

DEMO_PORT = 8767


@dataclass
class DemoEndpoint:
    url: str
    folder: Path
    colleagues: tuple[DemoColleague, ...]
    _server: object | None
    _thread: threading.Thread | None
    already_running: bool = False  # another window or terminal serves it; not ours to stop

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True  # type: ignore[attr-defined]
        self._thread.join(timeout=15)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def running_demo_url(home: Path) -> str | None:
    """The address of a demo already serving this MEDSNAP_HOME, else None.

    The workstation must be in demo mode and its recorded address must answer /healthz with
    the root this workstation pins - not another program, nor another home's demo, that
    happens to hold that port now.
    """
    facts = Workstation(home).read()
    url = facts.get("endpoint_url")
    if not facts.get("demo") or not url:
        return None
    url = str(url).rstrip("/")
    try:
        with EndpointClient(url, timeout=2) as client:  # loopback: never through a proxy
            client.healthz()
            found = root_fingerprint(client.root_pem())
    except (ConnectionFailure, EndpointRefused, ValueError):
        return None
    # a file from before the demo's root was kept apart: the demo's root was the pin
    same_root = found == facts.get(DEMO_ROOT_KEY, facts.get("root_fingerprint"))
    return url if same_root else None


def _serve(database_url: str, port: int) -> tuple[object, threading.Thread]:
    import uvicorn

    from medsnap_endpoint.app import create_app
    from medsnap_endpoint.settings import Settings

    settings = Settings(requests_per_minute=100000, public_requests_per_minute=100000,
                        key_fetches_per_staff_per_hour=1000,
                        key_fetches_per_client_per_hour=1000)
    config = uvicorn.Config(create_app(database_url, settings), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False,
                            timeout_keep_alive=settings.keep_alive_seconds)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="medsnap-demo-endpoint", daemon=True)
    thread.start()
    return server, thread


def _wait_until_up(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and thread.is_alive():
        with contextlib.suppress(ConnectionFailure, EndpointRefused), \
                EndpointClient(url, timeout=1) as client:
            client.healthz()
            return
        time.sleep(0.05)
    from medsnap.messaging.errors import MessagingError

    raise MessagingError("The demo endpoint did not start. Nothing was changed; another "
                         "program may hold the port - try 'medsnap demo --port 0'.")


def _prepare_database(database_url: str) -> None:
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    database = open_database(database_url)
    try:
        known = {c["staff_id"] for c in admin.list_clinicians(database)}
        if not known:
            # a throwaway CA for trying MedSnap on one machine: its key needs no password
            admin.init_ca(database, "MedSnap DEMO Root (not a hospital)", unencrypted_key=True)
        for person in COLLEAGUES:
            if person.staff_id not in known:
                admin.add_clinician(database, staff_id=person.staff_id,
                                    email=f"{person.staff_id}@demo.medsnap.invalid",
                                    display_name=person.name, role=person.role,
                                    department=person.department)
    finally:
        database.close()


def _enrol_missing(workstation: Workstation, database_url: str, url: str,
                   keystore: KeyStore) -> None:
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    for person in COLLEAGUES:
        if keystore.has(person.staff_id) and workstation.profile(person.staff_id).exists():
            continue
        database = open_database(database_url)
        try:
            code, _ = admin.new_code(database, person.staff_id)
        finally:
            database.close()
        enrol(workstation, person.staff_id, code, person.passphrase, endpoint_url=url,
              keystore=keystore).close()


def start_demo(home: Path, *, port: int = DEMO_PORT, keystore: KeyStore | None = None,
               exact_port: bool = False, reuse: bool = True) -> DemoEndpoint:
    """Start the embedded endpoint, enrol the demo colleagues, point this workstation at it.

    A demo already serving this home is reused (``already_running``; the workstation file is
    left as it is) or, with ``reuse=False``, refused with DemoAlreadyRunning: a second server
    on the same database would rewrite the address to a port that dies with it. A busy
    ``port`` is replaced by a free one unless ``exact_port`` (then DemoPortBusy). Two starts
    at once take turns (a lock file), so the second finds the first running.
    """
    folder = home / "demo"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _one_start_at_a_time(folder / "starting.lock"):
        return _start(home, folder, port, keystore, exact_port, reuse)


@contextlib.contextmanager
def _one_start_at_a_time(path: Path):
    """An exclusive lock on ``path`` while one process starts (or reuses) the demo."""
    with open(path, "a+b") as handle:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for ~10 s
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if os.name == "nt":
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
            # elsewhere closing the file releases the lock


def _start(home: Path, folder: Path, port: int, keystore: KeyStore | None, exact_port: bool,
           reuse: bool) -> DemoEndpoint:
    database_url = f"sqlite:///{folder / 'endpoint.db'}"
    running = running_demo_url(home)
    if running is not None:
        if not reuse:
            raise DemoAlreadyRunning(
                f"A demo is already running at {running} for this computer's MedSnap data "
                "(started from another terminal or window). Nothing was changed: use that one "
                "- 'medsnap send', 'medsnap inbox' and the window already point at it - or "
                "stop it (Ctrl+C where it runs) before starting another.")
        keystore = keystore or demo_keystore(home)
        _enrol_missing(Workstation(home), database_url, running, keystore)
        return DemoEndpoint(running, folder, COLLEAGUES, None, None, already_running=True)
    if port != 0 and not port_free(port):
        if exact_port:
            raise DemoPortBusy(f"Port {port} on 127.0.0.1 is in use by another program, so the "
                               "demo did not start. Nothing was changed. Choose another port, "
                               "or '--port 0' for any free one.")
        port = 0
    _prepare_database(database_url)
    if port == 0:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server, thread = _serve(database_url, port)
    _wait_until_up(url, thread)
    workstation = Workstation(home)
    with EndpointClient(url, timeout=10) as client:
        root = client.root_pem()
    # the demo's own root pins the demo's address only; the hospital's pin stays as it was
    workstation.pin_demo(url, root_fingerprint(root))
    keystore = keystore or demo_keystore(home)
    _enrol_missing(workstation, database_url, url, keystore)
    for person in COLLEAGUES:  # a restarted demo may listen on another port
        workstation.profile(person.staff_id).update(endpoint_url=url)
    workstation.update(current=COLLEAGUES[0].staff_id)
    return DemoEndpoint(url, folder, COLLEAGUES, server, thread)


def is_demo_identity(home: Path, staff_id: str) -> bool:
    """A demo colleague on a workstation in demo mode: its endpoint is a demo's."""
    if staff_id not in {person.staff_id for person in COLLEAGUES}:
        return False
    return bool(colleagues_here(home))


def revive_demo(home: Path, staff_id: str, *, port: int = DEMO_PORT,
                keystore: KeyStore | None = None) -> DemoEndpoint | None:
    """The demo serving this home for ``staff_id``: the one running (a terminal's 'medsnap
    demo', another window) or, when it died (with the window that ran it), a new one on this
    computer. None when ``staff_id`` is not a demo colleague of a demo workstation."""
    if not is_demo_identity(home, staff_id):
        return None
    demo = start_demo(home, port=port, keystore=keystore)
    workstation = Workstation(home)
    if workstation.profile(staff_id).exists():  # the running one may listen elsewhere
        workstation.profile(staff_id).update(endpoint_url=demo.url)
    workstation.update(current=staff_id)  # start_demo names the first colleague
    return demo
