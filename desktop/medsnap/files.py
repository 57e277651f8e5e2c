"""Files that appear complete under their final name or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def replace_atomically(target: Path, data: bytes, *, prefix: str = ".tmp-") -> None:
    """Write ``data`` to ``target``: a hidden temporary file in the same folder, flushed to
    disk, then renamed over the target. On any failure (Ctrl-C included) the temporary file
    is removed, the target is left as it was, and the error propagates. Mode 0600: what we
    write (exports, drafts, profiles) is the clinician's alone.
    """
    import tempfile  # only when writing (the letters' store shares sync_folder, not this)

    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


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
