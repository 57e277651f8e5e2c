"""Choose a backend from a database URL: ``sqlite:///path/file.db`` or ``postgresql://...``."""

from __future__ import annotations

import os
from pathlib import Path

from medsnap_endpoint.errors import AdminError, DatabaseUnavailable
from medsnap_endpoint.storage.base import Database

DEFAULT_DATABASE_URL = "sqlite:///medsnap-endpoint.db"
ENVIRONMENT_VARIABLE = "MEDSNAP_ENDPOINT_DATABASE"


def database_url(explicit: str | None) -> str:
    return explicit or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_DATABASE_URL


def is_postgresql(url: str | None) -> bool:
    """Whether ``url`` (or the address it defaults to) names a PostgreSQL database."""
    return database_url(url).startswith(("postgresql://", "postgres://"))


def open_database(url: str | None = None, *, migrate: bool = True,
                  create: bool = True) -> Database:
    """Open (and by default migrate to the latest schema) the database named by ``url``.

    A SQLite file that does not exist is created readable by its owner only (0600: it may
    hold the CA key; SQLite gives its -wal and -shm files the same mode), or with
    ``create=False`` refused with :class:`DatabaseUnavailable`, so a mistyped path never
    turns into a new, empty database. A missing driver or a refused connection is
    :class:`DatabaseUnavailable` too, with a message that says what to do.
    """
    url = database_url(url)
    if is_postgresql(url):
        try:
            from medsnap_endpoint.storage.postgres import PostgresDatabase

            database: Database = PostgresDatabase(url)
        except ImportError as error:
            raise DatabaseUnavailable(
                f"The PostgreSQL driver is not installed ({error}), so {_shown(url)} cannot "
                "be used. Nothing was changed. Install MedSnap with its 'postgresql' extra: "
                "pip install 'medsnap[postgresql]' ('medsnap[endpoint]' for a hospital server; "
                "in a source folder: .venv/bin/pip install -e '.[postgresql]'), or use a "
                "sqlite:/// database.") from None
    elif url.startswith("sqlite:///"):
        from medsnap_endpoint.storage.sqlite import SQLiteDatabase

        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            if not create:
                raise DatabaseUnavailable(
                    f"There is no endpoint database at {path.absolute()}. Nothing was created. "
                    f"Check the database address (--database or ${ENVIRONMENT_VARIABLE}); a "
                    "new endpoint's database is made by 'medsnap-endpoint admin --database "
                    "URL init-ca --name NAME'.")
            _create_owner_only(path)
        database = SQLiteDatabase(url, path)
    else:
        raise AdminError(
            f"The database address {url!r} is not understood. Use sqlite:///PATH/FILE.db "
            "or postgresql://USER@HOST/DBNAME.")
    if migrate:
        from medsnap_endpoint.migrations import migrate as run_migrations

        try:
            run_migrations(database)
        except Exception as error:
            database.close()
            if type(error).__name__ == "OperationalError":  # psycopg's or sqlite3's: no access
                detail = " ".join(str(error).split())  # psycopg's spans lines
                raise DatabaseUnavailable(
                    f"The database {_shown(url)} could not be opened ({detail}). Nothing was "
                    "changed. Check the address, that the database server is running and "
                    "that this user may use it.") from None
            raise
    return database


def _create_owner_only(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # an empty file is an empty SQLite database; the mode is set here, not by the umask
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:  # created meanwhile by another process: theirs to have made
        pass


def _shown(url: str) -> str:
    """The address without a password, fit for a message."""
    scheme, _, rest = url.partition("://")
    credentials, at, place = rest.rpartition("@")
    return f"{scheme}://{credentials.partition(':')[0]}{at}{place}" if at else url
