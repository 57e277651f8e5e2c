"""Choose a backend from a database URL: ``sqlite:///path/file.db`` or ``postgresql://...``."""

from __future__ import annotations

import os
from pathlib import Path

from medsnap_endpoint.errors import AdminError
from medsnap_endpoint.storage.base import Database

DEFAULT_DATABASE_URL = "sqlite:///medsnap-endpoint.db"
ENVIRONMENT_VARIABLE = "MEDSNAP_ENDPOINT_DATABASE"


def database_url(explicit: str | None) -> str:
    return explicit or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_DATABASE_URL


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Open (and by default migrate to the latest schema) the database named by ``url``."""
    url = database_url(url)
    if url.startswith(("postgresql://", "postgres://")):
        from medsnap_endpoint.storage.postgres import PostgresDatabase

        database: Database = PostgresDatabase(url)
    elif url.startswith("sqlite:///"):
        from medsnap_endpoint.storage.sqlite import SQLiteDatabase

        database = SQLiteDatabase(url, Path(url.removeprefix("sqlite:///")))
    else:
        raise AdminError(
            f"The database address {url!r} is not understood. Use sqlite:///PATH/FILE.db "
            "or postgresql://USER@HOST/DBNAME.")
    if migrate:
        from medsnap_endpoint.migrations import migrate as run_migrations

        try:
            run_migrations(database)
        except Exception:
            database.close()
            raise
    return database
