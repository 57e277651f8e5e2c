"""One small database interface with two backends: SQLite (default, one file) and PostgreSQL.

Every module above this one writes portable SQL with ``?`` placeholders and runs it through
:class:`Transaction`; the backend translates placeholders and provides the one dialect-specific
operation we need (:meth:`Transaction.serialize`, used to keep the audit chain in order when
several processes share one PostgreSQL).
"""

from __future__ import annotations

from medsnap_endpoint.storage.base import Database, Transaction
from medsnap_endpoint.storage.urls import DEFAULT_DATABASE_URL, open_database

__all__ = ["DEFAULT_DATABASE_URL", "Database", "Transaction", "open_database"]
