"""The warm runner's wire: where its socket is, what identifies the code, how frames travel.

Standard library only (and nothing slow: no pathlib, no medsnap imports), because the
``medsnap`` command reads it before anything else to decide whether a warm runner can do
its work (``warm_client``). Frames are those of the key agent (``agent_socket``): one JSON
object, UTF-8, after its length in 4 bytes big-endian; the first frame of a command also
carries its standard input, output and error as file descriptors (SCM_RIGHTS).

    $XDG_RUNTIME_DIR/medsnap/<sha256(home, "warm-runner")[:20]>.sock
    (without XDG_RUNTIME_DIR: MEDSNAP_HOME/run/<same>.sock)

The folder is the key agent's: 0700, checked by ``agent_socket.private_folder`` when the
runner binds.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys

PROTOCOL_VERSION = 2  # 2: the runner forks on the command's "go" after its "ready"
OFF_ENV = "MEDSNAP_WARM_RUNNER"  # "off": every command starts cold (tests, benchmarks, IT)
MAX_FRAME = 1 << 20
INSIDE_RUNNER = False  # set in the runner and its children: a command there runs in place
_LENGTH = struct.Struct(">I")

SUPPORTED = (hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds") and hasattr(os, "fork")
             and hasattr(os, "getuid") and sys.platform != "win32")

# The environment that changes how the interpreter itself started (encoding, paths, flags):
# a runner started under other values is not used.
_INTERPRETER_ENV = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE")


def turned_off() -> bool:
    return os.environ.get(OFF_ENV, "").strip().lower() in ("off", "0", "no", "false")


def medsnap_home_text() -> str:
    """MEDSNAP_HOME or the user data folder, as ``profile.medsnap_home`` says (no pathlib)."""
    home = os.environ.get("MEDSNAP_HOME")
    if home:
        return home
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Application Support",
                            "MedSnap")
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                           "share")
    return os.path.join(base, "medsnap")


def runtime_folder_text(home: str) -> str:
    """The key agent's runtime folder (``agent_socket.runtime_folder``)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "medsnap")
    return os.path.join(home, "run")


def runner_socket_path(home: str) -> str:
    """The runner socket for the workstation folder ``home`` (one per folder and user)."""
    try:  # the built-in one: ~1 ms to import, hashlib (OpenSSL's) ~2.5 ms
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256

    real = os.path.realpath(home)
    name = sha256(f"{real}\0warm-runner".encode()).hexdigest()[:20]
    return os.path.join(runtime_folder_text(home), f"{name}.sock")


def private_to_me(folder: str) -> bool:
    """``folder`` is a real folder of this user's that nobody else may enter (0700): only
    then is what answers on a socket in it this user's runner (the command hands it its
    environment and its terminal)."""
    import stat

    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def peer_is_me(connection: socket.socket) -> bool:
    """The process at the other end runs as this user (Linux: SO_PEERCRED). Where that
    cannot be known the answer is no: the command runs in its own process."""
    if not hasattr(socket, "SO_PEERCRED"):
        return False
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", raw)[1] == os.getuid()


def interpreter_identity() -> dict:
    """What must be equal in a command and the runner for the runner to run the same code:
    the interpreter, its flags and options, where imports come from, the medsnap package,
    and the locale/Python variables read at start-up."""
    import medsnap  # already imported by the command and by the runner

    return {
        "executable": sys.executable, "version": sys.version,
        "flags": list(sys.flags), "xoptions": sorted(map(str, sys._xoptions.items())),
        "warnoptions": list(sys.warnoptions), "path": import_folders(),
        "medsnap": os.path.realpath(os.path.dirname(medsnap.__file__)),
        "env": sorted([k, v] for k, v in os.environ.items()  # lists: as JSON brings them
                      if k.startswith("PYTHON") or k in _INTERPRETER_ENV),
    }


def import_folders() -> list[str]:
    """Where imports come from: the import path after its first entry (the script's folder,
    or the working folder for ``-m``), folders and archives that exist only (a path hook's
    marker is resolved against the working folder by some launchers)."""
    return [p for p in sys.path[1:] if p and os.path.isabs(p) and os.path.exists(p)]


def encode_frame(message: dict) -> bytes:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return _LENGTH.pack(len(data)) + data


def send_frame(connection: socket.socket, message: dict, fds: list[int] = ()) -> None:
    """One frame; ``fds`` travel with its first bytes."""
    data = encode_frame(message)
    sent = socket.send_fds(connection, [data], list(fds)) if fds else 0
    if sent < len(data):  # (an empty send to a peer that already answered and left: EPIPE)
        connection.sendall(data[sent:])


def receive_frame(connection: socket.socket, max_fds: int = 0) -> tuple[dict | None, list[int]]:
    """The next frame and the descriptors that came with it; (None, fds) when closed.

    Descriptors received are the caller's to close, also when the frame is refused.
    """
    fds: list[int] = []
    header = _read_exactly(connection, _LENGTH.size, fds, max_fds)
    if header is None:
        return None, fds
    (length,) = _LENGTH.unpack(header)
    if length > MAX_FRAME:
        raise ValueError("warm runner frame too large")
    data = _read_exactly(connection, length, fds, max_fds)
    if data is None:
        return None, fds
    message = json.loads(data.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("warm runner frame is not an object")
    return message, fds


def _read_exactly(connection: socket.socket, size: int, fds: list[int],
                  max_fds: int) -> bytes | None:
    chunks, left = [], size
    while left:
        if max_fds and not fds:  # descriptors come with the first bytes sent
            chunk, got, _flags, _address = socket.recv_fds(connection, left, max_fds)
            fds.extend(got)
        else:
            chunk = connection.recv(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def forwarded_signals() -> tuple[int, ...]:
    """What a command's process passes on to its warm child (the terminal's keys and kill)."""
    import signal

    return (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
