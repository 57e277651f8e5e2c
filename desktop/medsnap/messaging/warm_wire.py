"""The warm runner's wire: where its socket is, what identifies the code, how frames travel.

Standard library only (and nothing slow: no pathlib, no medsnap imports), because the
``medsnap`` command reads it before anything else to decide whether a warm runner can do
its work (``warm_client``). Frames are those of the key agent (``local_socket``: a value
after its length in 4 bytes big-endian) but hold ``warm_codec``'s values, not JSON; the first
frame of a command also carries its standard input, output and error as file descriptors
(SCM_RIGHTS).

    $XDG_RUNTIME_DIR/medsnap/<sha256(home, "warm-runner")[:20]>.sock
    (without XDG_RUNTIME_DIR: MEDSNAP_HOME/run/<same>.sock)

The folder is the key agent's: 0700, checked by ``agent_socket.private_folder`` when the
runner binds.
"""

from __future__ import annotations

import _socket  # (local_socket says why not socket)
import os
import sys

from medsnap.messaging import local_socket, warm_codec

# the folder and peer checks the key agent's socket uses too
private_to_me, peer_uid = local_socket.private_to_me, local_socket.peer_uid

PROTOCOL_VERSION = 3  # 2: the runner forks on the command's "go" after its "ready"; 3: codec
OFF_ENV = "MEDSNAP_WARM_RUNNER"  # "off": every command starts cold (tests, benchmarks, IT)
INSIDE_RUNNER = False  # set in the runner and its children: a command there runs in place

SUPPORTED = (hasattr(_socket, "AF_UNIX") and hasattr(_socket, "SCM_RIGHTS")
             and hasattr(os, "fork") and hasattr(os, "getuid") and sys.platform != "win32")

# The environment that changes how the interpreter itself started (encoding, paths, flags):
# a runner started under other values is not used.
_INTERPRETER_ENV = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE")


def send_frame(connection: _socket.socket, message: dict, fds: list[int] = ()) -> None:
    local_socket.send_frame(connection, message, fds, encode=warm_codec.encode)


def receive_frame(connection: _socket.socket, max_fds: int = 0
                  ) -> tuple[dict | None, list[int]]:
    return local_socket.receive_frame(connection, max_fds, decode=warm_codec.decode)


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


def peer_is_me(connection: _socket.socket) -> bool:
    """The process at the other end runs as this user. Where that cannot be known the
    answer is no: the command runs in its own process."""
    return peer_uid(connection) == os.getuid()


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
        "env": sorted([k, v] for k, v in os.environ.items()  # lists: as frames bring them
                      if k.startswith("PYTHON") or k in _INTERPRETER_ENV),
    }


def import_folders() -> list[str]:
    """Where imports come from: the import path after its first entry (the script's folder,
    or the working folder for ``-m``), folders and archives that exist only (a path hook's
    marker is resolved against the working folder by some launchers)."""
    return [p for p in sys.path[1:] if p and os.path.isabs(p) and os.path.exists(p)]


def forwarded_signals() -> tuple[int, ...]:
    """What a command's process passes on to its warm child (the terminal's keys and kill)."""
    import _signal  # the signal module's C half: the module itself imports enum (~2 ms)

    return (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
