"""Files that appear complete under their final name or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def replace_atomically(target: Path, data: bytes, *, prefix: str = ".tmp-",
                       data_only: bool = False) -> None:
    """Write ``data`` to ``target``: a hidden temporary file in the same folder, flushed to
    disk, then renamed over the target, and the rename made durable. On any failure (Ctrl-C
    included) the temporary file is removed, the target is left as it was, and the error
    propagates. Mode 0600: what we write (exports, drafts, profiles, letters) is the
    clinician's alone. ``data_only``: fdatasync where there is one (the letters' store: its
    files' times do not matter, and 5 MB letters are written often)."""
    import secrets

    temporary = Path(target).parent / f"{prefix}{secrets.token_hex(8)}.part"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        try:
            view = memoryview(data)  # written from the caller's buffer: no copy of it
            while view:
                view = view[os.write(descriptor, view):]
            (_datasync if data_only else os.fsync)(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(Path(target).parent)


_datasync = getattr(os, "fdatasync", os.fsync)  # macOS and Windows have fsync only


def sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
