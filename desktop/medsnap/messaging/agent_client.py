"""Commands' side of the key agent: start it, reach it, lock it, and keys that ask it.

``connect_agent`` returns a connection to the running agent of exactly this profile, or None
when none runs. ``agent_keys`` turns it into :class:`ClinicianKeys` whose two private keys are
stand-ins: ``sign`` and ``exchange`` are sent to the agent, so the seal, open and request
signing code works unchanged while the real keys stay in the agent's memory.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from medsnap.crypto.clinician_keys import ClinicianKeys, keys_to_document
from medsnap.messaging import agent_socket as wire
from medsnap.messaging.agent_socket import AgentUnavailable
from medsnap.messaging.errors import NotSignedIn

START_TIMEOUT = 30.0
_LOCKED = ("MedSnap locked your keys while this command ran (idle time reached, or 'medsnap "
           "lock'). What was already done is kept; run 'medsnap signin' and try again.")


class AgentConnection:
    """One command's connection to its profile's agent (thread-safe: one request at a time)."""

    def __init__(self, connection, answer: dict):
        self._connection = connection
        self._guard = threading.Lock()
        self.staff_id: str = answer["staff_id"]
        self.certificates_pem: bytes = answer["certificates_pem"].encode("ascii")
        self.signing_public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(answer["signing_public"]))
        self.encryption_public = X25519PublicKey.from_public_bytes(
            base64.b64decode(answer["encryption_public"]))
        self.locks_after_seconds = float(answer.get("locks_after_seconds") or 0)

    def call(self, op: str, data: bytes = b"") -> bytes:
        with self._guard:
            try:
                wire.send_message(self._connection,
                                  {"op": op, "data": base64.b64encode(data).decode("ascii")})
                answer = wire.receive_message(self._connection)
            except (OSError, ValueError):
                answer = None
        if answer is None or answer.get("error") == "locked":
            raise NotSignedIn(_LOCKED)
        if not answer.get("ok"):
            raise AgentUnavailable(f"The key agent refused: {answer.get('message', '')}")
        return base64.b64decode(answer.get("data", ""))

    def close(self) -> None:
        self._connection.close()


class AgentSigningKey:
    """Stands in for an Ed25519 private key: the agent signs."""

    def __init__(self, agent: AgentConnection):
        self._agent = agent

    def sign(self, data: bytes) -> bytes:
        return self._agent.call("sign", data)

    def public_key(self) -> Ed25519PublicKey:
        return self._agent.signing_public

    def private_bytes(self, *_args: object) -> bytes:
        raise TypeError("the private key stays in the key agent")

    private_bytes_raw = private_bytes


class AgentEncryptionKey:
    """Stands in for an X25519 private key: the agent does the key agreement."""

    def __init__(self, agent: AgentConnection):
        self._agent = agent

    def exchange(self, peer: X25519PublicKey) -> bytes:
        try:
            return self._agent.call("x25519", peer.public_bytes_raw())
        except AgentUnavailable:
            raise ValueError("not a usable X25519 key") from None  # as cryptography says

    def exchange_many(self, peers: list[bytes]) -> list[bytes] | None:
        """The agreements with many raw points, a request per MAX_AGREEMENTS (32 zero bytes
        for a point that gives none); None when the agent cannot (an earlier MedSnap's)."""
        from medsnap.messaging.agent_server import MAX_AGREEMENTS

        agreed: list[bytes] = []
        for start in range(0, len(peers), MAX_AGREEMENTS):
            batch = peers[start:start + MAX_AGREEMENTS]
            try:
                shared = self._agent.call("x25519-many", b"".join(batch))
            except AgentUnavailable:
                return None
            if len(shared) != 32 * len(batch):
                return None
            agreed += [shared[at:at + 32] for at in range(0, len(shared), 32)]
        return agreed

    def public_key(self) -> X25519PublicKey:
        return self._agent.encryption_public

    def private_bytes(self, *_args: object) -> bytes:
        raise TypeError("the private key stays in the key agent")

    private_bytes_raw = private_bytes


def agent_keys(agent: AgentConnection) -> ClinicianKeys:
    return ClinicianKeys(AgentSigningKey(agent), AgentEncryptionKey(agent),  # type: ignore
                         agent.certificates_pem)


def connect_agent(home: Path, staff_id: str, *, activity: bool = True) -> AgentConnection | None:
    """The running agent of this profile; None when there is none.

    Raises :class:`AgentUnavailable` (with a message for the clinician) when a socket is
    there but its agent is gone (killed, computer restarted) or refuses this profile.
    ``activity=False`` (background sync) does not keep the agent from locking.
    """
    path = wire.agent_socket_path(home, staff_id)
    if not wire.SUPPORTED or not (path.exists() or path.is_symlink()):
        return None
    wire.private_folder(path.parent)  # a folder others can write: not our agent's socket
    try:
        connection = wire.connect(path)
    except OSError:
        _remove_stale(path)
        raise AgentUnavailable("Your MedSnap key agent is not running any more (it was stopped "
                               "or the computer restarted), so your keys are locked.") from None
    if wire.peer_uid(connection) not in (None, os.getuid()):
        connection.close()
        raise AgentUnavailable("Another user's process answered at your key agent's address. "
                               "Nothing was sent to it. Ask IT to check this computer.")
    try:
        wire.send_message(connection, {"op": "hello", "staff_id": staff_id,
                                       "home": str(Path(home).resolve()), "activity": activity})
        answer = wire.receive_message(connection)
    except (OSError, ValueError):
        answer = None
    if not answer or not answer.get("ok"):
        connection.close()
        why = (answer or {}).get("message") or "it did not answer"
        raise AgentUnavailable(f"Your MedSnap key agent could not be used ({why}).")
    return AgentConnection(connection, answer)


def _remove_stale(path: Path) -> None:
    try:
        if path.parent.stat().st_uid == os.getuid():
            path.unlink()
    except OSError:
        pass


def lock_agent(home: Path, staff_id: str) -> bool:
    """Tell this profile's agent to drop the keys and exit; False when none was running."""
    try:
        agent = connect_agent(home, staff_id, activity=False)
    except AgentUnavailable:
        return False
    if agent is None:
        return False
    try:
        agent.call("lock")
    except NotSignedIn:
        pass  # it locked on its own in the meantime
    finally:
        agent.close()
    return True


def start_agent(home: Path, staff_id: str, keys: ClinicianKeys, idle_seconds: float) -> Path:
    """Start an agent holding ``keys`` (replacing a running one); returns its socket path.

    The keys travel over a pipe to the new process, never through a file.
    """
    if not wire.SUPPORTED:
        raise AgentUnavailable("MedSnap cannot keep your keys unlocked between commands on "
                               "this system yet, so each command will ask for your passphrase.")
    import select
    import subprocess

    lock_agent(home, staff_id)
    env = {k: v for k, v in os.environ.items() if k != "MEDSNAP_PASSPHRASE"}
    process = subprocess.Popen(
        [sys.executable, "-m", "medsnap.messaging.agent_server"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd="/", env=env,
        start_new_session=True, close_fds=True)
    assert process.stdin is not None and process.stdout is not None
    order = {"home": str(Path(home).resolve()), "staff_id": staff_id,
             "idle_seconds": idle_seconds,
             "keys": base64.b64encode(keys_to_document(keys)).decode("ascii")}
    try:
        process.stdin.write(json.dumps(order).encode("ascii") + b"\n")
        process.stdin.close()
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline().decode("utf-8", "replace").strip() if ready else ""
    except OSError:
        line = ""
    finally:
        del order
        process.stdout.close()
    if not line.startswith("READY "):
        process.kill()
    process.wait(timeout=START_TIMEOUT)  # the launcher exits; the agent itself runs on
    if not line.startswith("READY "):
        reason = line.removeprefix("FAILED ").strip().rstrip(".") or "it did not start"
        raise AgentUnavailable(f"MedSnap could not keep your keys unlocked ({reason}). Each "
                               "command will ask for your passphrase.")
    return Path(line.removeprefix("READY "))


class AgreedInAdvance:
    """An X25519 key whose agreements with ``peers`` were made in one agent request: what
    age's X25519 identity asks of a private key, answered from those (others from the key)."""

    def __init__(self, key: AgentEncryptionKey, peers: list[bytes]):
        self._key = key
        self._shared: dict[bytes, bytes] = {}
        unique = list(dict.fromkeys(peers))
        shared = key.exchange_many(unique) if unique else None
        if shared is not None:
            self._shared = dict(zip(unique, shared))

    def exchange(self, peer: X25519PublicKey) -> bytes:
        shared = self._shared.get(peer.public_bytes_raw())
        if shared is None:
            return self._key.exchange(peer)
        if shared == bytes(32):
            raise ValueError("not a usable X25519 key")  # as cryptography says
        return shared

    def public_key(self) -> X25519PublicKey:
        return self._key.public_key()
