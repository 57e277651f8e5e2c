"""What the key agent's socket and the warm runner's have in common: a folder private to its
user, the peer's uid, and frames of one JSON object (UTF-8) after its length in 4 bytes
big-endian, optionally carrying file descriptors (SCM_RIGHTS) with their first bytes.

Standard library only, and nothing slow (no pathlib, no medsnap imports): every ``medsnap``
command reads it before deciding whether a warm runner can do its work (``warm_client``).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct

MAX_FRAME = 1 << 20
_LENGTH = struct.Struct(">I")


def private_to_me(folder: str | os.PathLike[str]) -> bool:
    """``folder`` is a real folder (not a symlink) of this user's that nobody else may enter:
    only then is what answers on a socket in it this user's own process."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def peer_uid(connection: socket.socket) -> int | None:
    """The connected process's uid (Linux: SO_PEERCRED), else None."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", raw)[1]


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
        raise ValueError("socket frame too large")
    data = _read_exactly(connection, length, fds, max_fds)
    if data is None:
        return None, fds
    message = json.loads(data.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("socket frame is not an object")
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
