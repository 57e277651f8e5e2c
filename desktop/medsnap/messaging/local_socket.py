"""What the key agent's socket and the warm runner's have in common: a folder private to its
user, the peer's uid, and frames of one JSON object (UTF-8) after its length in 4 bytes
big-endian, optionally carrying file descriptors (SCM_RIGHTS) with their first bytes. The
warm runner's frames are the same but for their contents (``warm_codec`` instead of JSON).

Standard library only, and nothing slow (no pathlib, no json until a JSON frame travels, no
medsnap imports): every ``medsnap`` command reads it before deciding whether a warm runner
can do its work (``warm_client``). It uses ``_socket``, the socket module's C half: the
socket module turns each of its constants into an enum when imported (~5 ms); the methods
used here are the C socket's own.
"""

from __future__ import annotations

import _socket
import os
import stat
import struct
from array import array

TYPE_CHECKING = False  # (the typing module is slow to import too)
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_FRAME = 1 << 20
_LENGTH = struct.Struct(">I")
_PEERCRED = struct.Struct("3i")  # pid, uid, gid


def json_encode(message: dict) -> bytes:
    import json

    return json.dumps(message, separators=(",", ":")).encode("utf-8")


def json_decode(data: bytes) -> object:
    import json

    return json.loads(data.decode("utf-8"))


def private_to_me(folder: str | os.PathLike[str]) -> bool:
    """``folder`` is a real folder (not a symlink) of this user's that nobody else may enter:
    only then is what answers on a socket in it this user's own process."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def peer_uid(connection: _socket.socket) -> int | None:
    """The connected process's uid (Linux: SO_PEERCRED), else None."""
    if not hasattr(_socket, "SO_PEERCRED"):
        return None
    raw = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, _PEERCRED.size)
    return _PEERCRED.unpack(raw)[1]


def encode_frame(message: dict, encode: Callable[[dict], bytes] = json_encode) -> bytes:
    data = encode(message)
    return _LENGTH.pack(len(data)) + data


def send_frame(connection: _socket.socket, message: dict, fds: list[int] = (),
               encode: Callable[[dict], bytes] = json_encode) -> None:
    """One frame; ``fds`` travel with its first bytes."""
    data = encode_frame(message, encode)
    sent = 0
    if fds:
        rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array("i", fds))]
        sent = connection.sendmsg([data], rights)
    if sent < len(data):  # (an empty send to a peer that already answered and left: EPIPE)
        connection.sendall(data[sent:])


def receive_frame(connection: _socket.socket, max_fds: int = 0,
                  decode: Callable[[bytes], object] = json_decode
                  ) -> tuple[dict | None, list[int]]:
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
    message = decode(data)
    if not isinstance(message, dict):
        raise ValueError("socket frame is not an object")
    return message, fds


def _read_exactly(connection: _socket.socket, size: int, fds: list[int],
                  max_fds: int) -> bytes | None:
    chunks, left = [], size
    while left:
        if max_fds and not fds:  # descriptors come with the first bytes sent
            chunk, fds_sent = _receive_with_fds(connection, left, max_fds)
            fds.extend(fds_sent)
        else:
            chunk = connection.recv(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive_with_fds(connection: _socket.socket, size: int, max_fds: int
                      ) -> tuple[bytes, list[int]]:
    """Up to ``size`` bytes and the descriptors sent with them (at most ``max_fds`` kept: the
    kernel closes the rest, flagging the message as cut)."""
    fds = array("i")
    data, ancillary, _flags, _address = connection.recvmsg(
        size, _socket.CMSG_SPACE(max_fds * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    return data, list(fds)
