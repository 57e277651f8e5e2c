"""Messaging fixtures: one real `medsnap-endpoint serve` process, workstations with own homes."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "endpoint"))
from endpoint_harness import EndpointServer, with_hospital_ca  # noqa: E402  (the endpoint's)

from medsnap.crypto.keystore import KeyStore  # noqa: E402
from medsnap.messaging.profile import Workstation  # noqa: E402
from medsnap_endpoint import admin  # noqa: E402
from medsnap_endpoint.storage import open_database  # noqa: E402

LIMITS = ["--public-requests-per-minute", "100000", "--requests-per-minute", "100000",
          "--key-fetches-per-staff-per-hour", "1000", "--key-fetches-per-client-per-hour",
          "1000", "--sweep-interval-seconds", "0"]
PASSPHRASE = "copper lantern drifts 42 north"


def start_endpoint(folder: Path, port: int = 0) -> EndpointServer:
    url = f"sqlite:///{folder / 'endpoint.db'}"
    if not (folder / "endpoint.db").exists():
        with_hospital_ca(url, "MedSnap Messaging Test Root")
    server = EndpointServer(url, LIMITS)
    server.port = port
    return server.start()


@pytest.fixture(scope="session")
def endpoint() -> Iterator[EndpointServer]:
    folder = Path(tempfile.mkdtemp(prefix="medsnap-msg-endpoint-"))
    server = start_endpoint(folder)
    yield server
    server.stop()


def endpoint_copies(server: EndpointServer, sender: str) -> int:
    """How many letters from ``sender`` the endpoint's database holds."""
    database = open_database(server.database_url)
    try:
        with database.transaction() as tx:
            return int(tx.one("SELECT COUNT(*) FROM messages WHERE sender = ?", (sender,))[0])
    finally:
        database.close()


def add_clinician(server: EndpointServer, name: str, role: str = "Registrar") -> tuple[str, str]:
    """A new clinician with a unique staff id; returns (staff_id, one-time code)."""
    staff_id = f"{name.split()[-1].lower()}{uuid.uuid4().hex[:6]}"
    database = open_database(server.database_url)
    try:
        code, _ = admin.add_clinician(database, staff_id=staff_id,
                                      email=f"{staff_id}@hospital.example", display_name=name,
                                      role=role, department="Cardiology")
    finally:
        database.close()
    return staff_id, code


@dataclass
class Desk:
    """One workstation: its own MEDSNAP_HOME and its own (in-memory) keyring."""

    home: Path
    keystore: KeyStore

    @property
    def workstation(self) -> Workstation:
        return Workstation(self.home)

    def enrol(self, server: EndpointServer, name: str):
        """Enrol a new clinician called ``name`` here; returns the open session."""
        from medsnap.messaging.session import enrol

        staff_id, code = add_clinician(server, name)
        return enrol(self.workstation, staff_id, code, PASSPHRASE, endpoint_url=server.url,
                     keystore=self.keystore)


@pytest.fixture(scope="session")
def make_desk(tmp_path_factory) -> Callable[[], Desk]:
    """A new workstation each call (session-wide, so module fixtures can enrol people once)."""
    from keyring_backends import MemoryKeyring

    def make() -> Desk:
        home = tmp_path_factory.mktemp("desk")
        return Desk(home, KeyStore(keyring_backend=MemoryKeyring()))

    return make


def clean_png(marker_seed: int, size: tuple[int, int] = (96, 64)) -> bytes:
    """A clean PNG of random pixels (a unique image each seed)."""
    from PIL import Image

    from medsnap.imaging import encode_clean

    rng = random.Random(marker_seed)
    pixels = bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3))
    return encode_clean(Image.frombytes("RGB", size, pixels), "png")


def markers_of(image: bytes) -> list[bytes]:
    """Byte strings that would betray the image if found on disk."""
    middle = len(image) // 2
    return [image[middle:middle + 24], image[-40:-12]]


def scan_for_plaintext(folders: list[Path], markers: list[bytes]) -> list[str]:
    """Files under ``folders`` holding a PNG/JPEG signature or one of ``markers``."""
    signatures = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb"]
    found = []
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(root, name)
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                hits = [m for m in [*signatures, *markers] if m in data]
                if hits:
                    found.append(f"{path}: {hits[0]!r}")
    return found


@pytest.fixture
def png_bytes() -> Callable[[int], bytes]:
    return clean_png



class Terminal:
    """A real command on a real pseudo-terminal (a prompt reads it), read until a text shows.

    ``env`` None: this process's environment. Killed and reaped on leaving the ``with``.
    """

    def __init__(self, argv: list[str], env: dict[str, str] | None = None):
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the command itself
            os.execve(argv[0], argv, dict(os.environ) if env is None else env)
        self.seen = b""

    def read_until(self, text: bytes, deadline: float) -> bool:
        """Read until ``text`` shows, the child ends, or ``deadline`` (monotonic) passes."""
        import select
        import time

        while text not in self.seen and time.monotonic() < deadline:
            if not select.select([self.fd], [], [], 0.5)[0]:
                continue  # the child waits at its prompt: stop at the deadline, not hang
            try:
                self.seen += os.read(self.fd, 1024)
            except OSError:  # the child ended
                break
        return text in self.seen

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Iterator[Path]:
    """A running demo endpoint (in this process) and its workstation folder, per module."""
    from medsnap.messaging.demo import start_demo

    home = tmp_path_factory.mktemp("demo") / "home"
    demo = start_demo(home, port=0, reuse=False)
    yield home
    demo.stop()


def demo_database_url(home: Path) -> str:
    """The demo endpoint's own database (IT's `admin` commands act on it)."""
    return f"sqlite:///{home / 'demo' / 'endpoint.db'}"


@pytest.fixture
def ward(demo_home, monkeypatch, capsys):
    """Run a command through medsnap.cli.main as a demo clinician (default Dr Ada Okafor);
    returns (exit code, stdout, stderr). ``stdin`` is what the command reads; ``env`` sets
    variables for that command only."""
    import io

    from medsnap.cli import main
    from medsnap.messaging.demo import COLLEAGUES

    monkeypatch.setenv("MEDSNAP_HOME", str(demo_home))
    monkeypatch.delenv("MEDSNAP_PDF_PASSWORD", raising=False)

    def run(*args: str, person=COLLEAGUES[0], stdin: str | None = None,
            env: dict | None = None):
        monkeypatch.setenv("MEDSNAP_PASSPHRASE", person.passphrase)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        who = [] if args[0] == "export" else ["--as", person.staff_id]
        code = main([args[0], *who, *args[1:]])
        for name in env or {}:
            monkeypatch.delenv(name)
        out, err = capsys.readouterr()
        return code, out, err

    return run
