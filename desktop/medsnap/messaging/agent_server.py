"""The key agent: one clinician's unlocked keys in a small process, used by later commands.

``medsnap signin`` unlocks the keys (scrypt) and starts this process with the key document on
its standard input (a pipe: never a file). The agent holds the keys in memory only and
performs the two private-key operations itself; the keys never leave it:

* ``sign``: Ed25519 over a signed endpoint request (``MEDSNAP-REQUEST-V1``...) or a letter
  manifest (a JWS whose header says ``typ: medsnap-letter+jws``); nothing else is signed;
* ``x25519``: the key agreement that unwraps an age file key addressed to the clinician.

It also keeps the audit log's head in the keyring for the commands it serves (``audit-head``:
not a key operation; the keyring library is loaded once here instead of in every command),
writing in the order received on a thread of its own, after its answer.

It locks (drops the keys, removes its socket, exits) after ``idle_seconds`` without a request
from a command (policy ``lock_timeout_minutes``, or shorter on request), on ``lock``, and on
SIGTERM/SIGHUP/SIGINT. Only connections that name its own profile (workstation folder and
staff id) are served. Protocol and socket: ``agent_socket``; the client side: ``agent_client``.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path

from medsnap.crypto.clinician_keys import ClinicianKeys, keys_from_document
from medsnap.messaging import agent_socket as wire

PROTOCOL_VERSION = 1
LETTER_TYP = "medsnap-letter+jws"  # crypto.letter.TYP (a permanent string; a test pins it)
REQUEST_PREFIX = b"MEDSNAP-REQUEST-V1\n"  # medsnap_endpoint.protocol.REQUEST_CONTEXT


def signable(data: bytes) -> bool:
    """Only what MedSnap signs: an endpoint request, or a letter manifest."""
    if data.startswith(REQUEST_PREFIX):
        return True
    header, dot, _payload = data.partition(b".")
    if not dot or len(header) > 64 * 1024:
        return False
    try:
        fields = json.loads(base64.urlsafe_b64decode(header + b"=" * (-len(header) % 4)))
    except ValueError:
        return False
    return isinstance(fields, dict) and fields.get("typ") == LETTER_TYP


MAX_AGREEMENTS = 4096  # points in one "x25519-many" request (a year of a busy inbox)


def _agree_many(key, data: bytes) -> dict:
    """X25519 with each 32-byte point in ``data``, answers in order; a point that gives no
    usable key answers 32 zero bytes (what cryptography refuses, and age callers check)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    if len(data) % 32 or len(data) > 32 * MAX_AGREEMENTS:
        return {"ok": False, "error": "bad-request", "message": "points of 32 bytes expected"}
    shared = []
    for start in range(0, len(data), 32):
        try:
            shared.append(key.exchange(X25519PublicKey.from_public_bytes(data[start:start + 32])))
        except ValueError:
            shared.append(bytes(32))
    return {"ok": True, "data": _b64(b"".join(shared))}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class KeyAgent:
    def __init__(self, home: Path, staff_id: str, keys: ClinicianKeys, idle_seconds: float,
                 listener, socket_path: Path):
        self.home, self.staff_id = str(Path(home).resolve()), staff_id
        self.idle_seconds = idle_seconds
        self.listener, self.socket_path = listener, socket_path
        self._keys: ClinicianKeys | None = keys
        self._guard = threading.RLock()  # a signal may arrive while lock() runs
        self._last_activity = time.monotonic()
        self.locked_because = ""
        self._heads: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._head_writer: threading.Thread | None = None

    # lifetime -------------------------------------------------------------------------------
    def serve_forever(self) -> str:
        """Serve until locked; returns why it locked (idle, command, signal)."""
        while self._keys is not None:
            remaining = self.idle_seconds - (time.monotonic() - self._last_activity)
            if remaining <= 0:
                self.lock("idle")
                break
            self.listener.settimeout(min(remaining, 1.0))
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break  # the listener was closed by lock()
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()
        return self.locked_because

    def lock(self, why: str) -> None:
        with self._guard:
            if self._keys is None:
                return
            self._keys = None  # OpenSSL clears the key memory when the objects are freed
            self.locked_because = why
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass
        self.listener.close()

    # one client -----------------------------------------------------------------------------
    def _serve(self, connection) -> None:
        with connection:
            connection.settimeout(30.0)  # a hello, at most 1 MiB, from whoever connected
            try:
                hello = wire.receive_message(connection)
            except (OSError, ValueError):
                return
            uid = wire.peer_uid(connection)  # read first, so the refusal is always received
            if uid is not None and uid != os.getuid():
                self._refuse(connection, "wrong-user", "This key agent serves another user.")
                return
            if not hello or hello.get("op") != "hello":
                return
            connection.settimeout(None)
            if hello.get("staff_id") != self.staff_id or hello.get("home") != self.home:
                self._refuse(connection, "wrong-profile",
                             "This key agent holds another clinician's keys.")
                return
            counts = bool(hello.get("activity", True))
            if not self._reply(connection, self._hello_answer(counts), counts):
                return
            while True:
                try:
                    request = wire.receive_message(connection)
                except (OSError, ValueError):
                    return
                if request is None:
                    return
                answer = self._answer(request)
                if not self._reply(connection, answer, counts) or request.get("op") == "lock":
                    return

    def _reply(self, connection, answer: dict, counts: bool) -> bool:
        if counts and answer.get("ok"):
            self._last_activity = time.monotonic()
        try:
            wire.send_message(connection, answer)
        except OSError:
            return False
        return True

    def _refuse(self, connection, code: str, message: str) -> None:
        try:
            wire.send_message(connection, {"ok": False, "error": code, "message": message})
        except OSError:
            pass

    def _hello_answer(self, counts: bool) -> dict:
        keys = self._keys
        if keys is None:
            return {"ok": False, "error": "locked", "message": "The key agent is locked."}
        left = self.idle_seconds - (0 if counts else time.monotonic() - self._last_activity)
        return {"ok": True, "version": PROTOCOL_VERSION, "staff_id": self.staff_id,
                "certificates_pem": (keys.certificates_pem or b"").decode("ascii"),
                "signing_public": _b64(keys.signing_key.public_key().public_bytes_raw()),
                "encryption_public": _b64(keys.encryption_key.public_key().public_bytes_raw()),
                "locks_after_seconds": left}

    def _answer(self, request: dict) -> dict:
        op = request.get("op")
        if op == "lock":
            self.lock("command")
            return {"ok": True}
        keys = self._keys
        if keys is None:
            return {"ok": False, "error": "locked", "message": "The key agent is locked."}
        try:
            data = base64.b64decode(str(request.get("data", "")), validate=True)
        except ValueError:
            return {"ok": False, "error": "bad-request", "message": "data is not base64"}
        if op == "sign":
            if not signable(data):
                return {"ok": False, "error": "not-signable",
                        "message": "The key agent signs MedSnap requests and letters only."}
            return {"ok": True, "data": _b64(keys.signing_key.sign(data))}
        if op == "x25519":
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

            try:
                shared = keys.encryption_key.exchange(X25519PublicKey.from_public_bytes(data))
            except ValueError:
                return {"ok": False, "error": "bad-point", "message": "not a usable X25519 key"}
            return {"ok": True, "data": _b64(shared)}
        if op == "x25519-many":  # the inbox list's previews: one request, not one each
            return _agree_many(keys.encryption_key, data)
        if op == "audit-head":
            return self._keep_audit_head(data)
        return {"ok": False, "error": "unknown-op", "message": f"unknown operation {op!r}"}

    # the audit head ----------------------------------------------------------------------------
    def _keep_audit_head(self, data: bytes) -> dict:
        from medsnap.messaging.audit_head import parse_head

        try:
            head = parse_head(data)
        except (ValueError, KeyError, TypeError):
            return {"ok": False, "error": "bad-request", "message": "not an audit head"}
        with self._guard:
            if self._head_writer is None:
                self._head_writer = threading.Thread(target=self._write_heads, daemon=True)
                self._head_writer.start()
        self._heads.put(head)
        return {"ok": True}

    def _write_heads(self) -> None:
        from medsnap.messaging.audit_head import audit_head_for
        from medsnap.messaging.profile import Workstation

        keeper = audit_head_for(Workstation(Path(self.home)), self.staff_id)
        while (head := self._heads.get()) is not None:
            keeper.write(*head)  # logs, never raises

    def finish_writing(self, timeout: float = 10.0) -> None:
        """Write the heads still queued (called once serving has stopped)."""
        if self._head_writer is not None:
            self._heads.put(None)
            self._head_writer.join(timeout)


def _harden() -> None:
    """No core dumps, and (Linux) no ptrace or /proc/PID/mem reads by other processes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_DUMPABLE = 4
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def main() -> int:
    """Entry of the agent process: one JSON line on stdin, 'READY <path>' on stdout."""
    _harden()
    order = json.loads(sys.stdin.readline())
    keys = keys_from_document(base64.b64decode(order.pop("keys")))
    home, staff_id = Path(order["home"]), str(order["staff_id"])
    path = wire.agent_socket_path(home, staff_id)
    if hasattr(os, "fork") and os.fork():
        # the launcher exits at once, so the command that started it reaps it; the agent
        # (the child: never a zombie of that command) answers READY on the same pipe
        os._exit(0)
    try:
        listener = wire.listen(path)  # in the agent itself: SO_PEERCRED then names it
    except wire.AgentUnavailable as error:
        print(f"FAILED {error.message}", flush=True)
        return 1
    agent = KeyAgent(home, staff_id, keys, float(order["idle_seconds"]), listener, path)
    del keys, order
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda *_: agent.lock("signal"))
    print(f"READY {path}", flush=True)
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(devnull, stream)
    why = agent.serve_forever()
    agent.finish_writing()  # before the lock entry, which writes the head itself
    _record_lock(home, staff_id, why)
    return 0


def _record_lock(home: Path, staff_id: str, why: str) -> None:
    try:
        from medsnap.messaging.audit import AuditLog
        from medsnap.messaging.profile import Workstation

        from medsnap.messaging.audit_head import audit_head_for

        desk = Workstation(home)
        AuditLog(desk.profile(staff_id).audit_path, audit_head_for(desk, staff_id)).record(
            "lock", staff_id=staff_id, why=why, by="agent")
    except Exception:  # locking must not fail because the log cannot be written
        pass


if __name__ == "__main__":
    sys.exit(main())
