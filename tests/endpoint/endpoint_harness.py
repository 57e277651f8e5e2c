"""Real peers for the endpoint tests: a private PostgreSQL cluster and `medsnap-endpoint serve`."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

VENV_BIN = Path(sys.executable).parent
ENDPOINT_COMMAND = [str(VENV_BIN / "medsnap-endpoint")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(candidate, "initdb"), os.X_OK):
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PostgresCluster:
    """A throw-away cluster on a unix socket in its own directory (trust auth, no TCP)."""

    bin_dir: Path
    root: Path
    port: int
    as_postgres: list[str] = field(default_factory=list)
    options: str = ""  # the server's, as pg_ctl start was given them

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.root}&port={self.port}"

    def pg_ctl(self, action: str) -> None:
        """``start`` (on its socket and port again) or ``stop`` the server, as a test may."""
        subprocess.run([*self.as_postgres, str(self.bin_dir / "pg_ctl"), "-D",
                        str(self.root / "data"), "-l", str(self.root / "log"), "-o",
                        self.options, "-w", "-t", "60",
                        *(["-m", "fast"] if action == "stop" else []), action],
                       check=True, capture_output=True, text=True, timeout=120)

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"medsnap_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_cluster(shared_buffers: str = "32MB", max_wal_size: str | None = None
                     ) -> Iterator[PostgresCluster]:
    """A private cluster; the tests' small ``shared_buffers`` keeps their memory low (the
    benchmark asks for PostgreSQL's own default, and docs/ADMIN.md's ``max_wal_size``)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's initdb is not installed (Debian package postgresql)")
    root = Path(tempfile.mkdtemp(prefix="medsnap-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    cluster = PostgresCluster(bin_dir, root, free_port(), as_postgres)
    data = root / "data"
    run = lambda *args: subprocess.run([*as_postgres, *args], check=True,  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8")
        cluster.options = (f"-k {root} -p {cluster.port} -c listen_addresses='' "
                           f"-c max_connections=200 -c shared_buffers={shared_buffers}"
                           + (f" -c max_wal_size={max_wal_size}" if max_wal_size else ""))
        cluster.pg_ctl("start")
        yield cluster
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def with_hospital_ca(url: str, name: str) -> str:
    """Create the hospital root CA in the database at ``url`` (as `admin init-ca` does)."""
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    database = open_database(url)
    try:
        admin.init_ca(database, name, unencrypted_key=True)  # a throwaway test CA
    finally:
        database.close()
    return url


@dataclass
class EndpointServer:
    """One `medsnap-endpoint serve` process on a free loopback port."""

    database_url: str
    extra_args: list[str] = field(default_factory=list)
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    #: with --ssl-certfile/--ssl-keyfile in extra_args: the CA file that verifies the server
    tls_ca: str | None = None

    @property
    def url(self) -> str:
        if self.tls_ca:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=self.tls_ca) if self.tls_ca else True

    def start(self) -> EndpointServer:
        self.port = self.port or free_port()  # a restart keeps its address
        self.log_path = Path(tempfile.mkstemp(prefix="medsnap-endpoint-", suffix=".log")[1])
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [*ENDPOINT_COMMAND, "serve", "--database", self.database_url, "--port",
             str(self.port), "--log-level", "warning", *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"endpoint exited: {self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1,
                             verify=self.verify).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"endpoint did not start: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def admin(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([*ENDPOINT_COMMAND, "admin", "--database", self.database_url,
                                 *args], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"admin {args} failed: {result.stderr}")
        return result
