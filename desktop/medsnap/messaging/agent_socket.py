"""The key agent's transport: where its socket lives, who may connect, how messages are framed.

One socket per clinician profile (MEDSNAP_HOME + staff id), named by a hash of both so two
workstation folders or two clinicians never share one:

    $XDG_RUNTIME_DIR/medsnap/<sha256(home, staff id)[:20]>.sock
    (without XDG_RUNTIME_DIR: MEDSNAP_HOME/run/<same>.sock)

The folder is created 0700 and refused if it is anybody else's or open to others; on Linux
the agent also checks each peer's uid (SO_PEERCRED). Messages are one JSON object each,
UTF-8, preceded by its length (4 bytes, big-endian): ``local_socket``'s frames (the warm
runner's socket shares the length framing, not JSON). Everything socket-specific is here, so
that Windows can get a named pipe (owner-only DACL) behind the same functions later.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
from pathlib import Path

from medsnap.messaging.errors import MessagingError
from medsnap.messaging import local_socket
from medsnap.messaging.local_socket import private_to_me, receive_frame, send_frame

peer_uid = local_socket.peer_uid  # for the agent's server and client

#: Unix sockets with owner checks; Windows gets a named pipe here later
SUPPORTED = hasattr(socket, "AF_UNIX") and hasattr(os, "getuid") and sys.platform != "win32"
SOCKET_PATH_LIMIT = 100  # sun_path holds 104-108 bytes depending on the system


class AgentUnavailable(MessagingError):
    """No key agent can serve this profile here (none running, gone, or refused)."""

    exit_code = 7


def runtime_folder(home: Path) -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return Path(runtime) / "medsnap"
    return Path(home) / "run"


def agent_socket_path(home: Path, staff_id: str) -> Path:
    """The socket of ``staff_id``'s agent for the workstation folder ``home``."""
    name = hashlib.sha256(f"{Path(home).resolve()}\0{staff_id}".encode()).hexdigest()[:20]
    return runtime_folder(home) / f"{name}.sock"


def private_folder(folder: Path) -> Path:
    """Create ``folder`` 0700 (or check it): ours, not a symlink, closed to others."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not private_to_me(folder):
        raise AgentUnavailable(f"The folder {folder} for MedSnap's key agent is not private to "
                               "you. Your keys were not left unlocked. Ask IT to check it.")
    return folder


def listen(path: Path) -> socket.socket:
    """Bind the agent's socket (replacing a stale one left by a killed agent)."""
    private_folder(path.parent)
    if len(os.fsencode(path)) > SOCKET_PATH_LIMIT:
        raise AgentUnavailable(f"The path {path} is too long for the key agent's socket. Set "
                               "XDG_RUNTIME_DIR to a short private folder.")
    if path.exists() or path.is_symlink():
        if is_answering(path):
            raise AgentUnavailable("A key agent is already running for this profile.")
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # the socket file is born 0600
    try:
        server.bind(str(path))
    finally:
        os.umask(old_mask)
    server.listen(16)
    return server


def is_answering(path: Path, timeout: float = 2.0) -> bool:
    """An agent listens at ``path`` (a connection that says nothing is not activity)."""
    try:
        connect(path, timeout=timeout).close()
    except OSError:
        return False
    return True


def connect(path: Path, timeout: float = 30.0) -> socket.socket:
    """Connect to an agent's socket; OSError when nobody listens there."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        client.connect(str(path))
    except OSError:
        client.close()
        raise
    return client


def send_message(connection: socket.socket, message: dict) -> None:
    send_frame(connection, message)


def receive_message(connection: socket.socket) -> dict | None:
    """The next message, or None when the other side closed the connection."""
    return receive_frame(connection)[0]
