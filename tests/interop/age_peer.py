"""Drive the reference `age` / `age-keygen` commands (Debian package `age`) from tests.

`age -p` reads passphrases only from a terminal (age 1.1 has no environment variable for
it), so `run_age_with_tty` runs it on a pseudo-terminal and types the passphrase.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path

AGE = shutil.which("age")
AGE_KEYGEN = shutil.which("age-keygen")


def require_age() -> None:
    # A missing peer is a broken test machine, not a reason to pass quietly.
    assert AGE and AGE_KEYGEN, "the `age` Debian package is required (scripts/install --test)"


def age(*args: str | Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    require_age()
    return subprocess.run([AGE, *map(str, args)], input=stdin, capture_output=True, timeout=120)


def age_keygen(directory: Path, name: str = "key.txt") -> tuple[Path, str]:
    """A fresh key file made by age-keygen, and its age1... recipient."""
    require_age()
    path = directory / name
    subprocess.run([AGE_KEYGEN, "-o", str(path)], check=True, capture_output=True, timeout=30)
    public = subprocess.run([AGE_KEYGEN, "-y", str(path)], check=True, capture_output=True, timeout=30)
    return path, public.stdout.decode().strip()


def run_age_with_tty(args: list[str], passphrase: str, timeout: float = 60) -> tuple[int, str]:
    """Run age on a pty, answering every passphrase prompt; return (exit status, terminal text)."""
    require_age()
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is now its controlling terminal
        try:
            os.execv(AGE, [AGE, *args])
        finally:
            os._exit(127)
    transcript = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                transcript += chunk
            prompts = transcript.lower().count(b"passphrase") - transcript.lower().count(b"passphrase-")
            if prompts > answered and transcript.rstrip().endswith(b":"):
                os.write(fd, passphrase.encode() + b"\r")
                answered += 1
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        else:
            os.kill(pid, 9)
            raise TimeoutError("age did not finish: " + transcript.decode(errors="replace"))
        if not done:
            _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), transcript.decode(errors="replace")
