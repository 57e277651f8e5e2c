"""Conformance of the two storage backends behind the one Database interface."""

from __future__ import annotations

import threading

import pytest

from medsnap_endpoint.errors import AdminError, NotFound
from medsnap_endpoint.migrations import LATEST_VERSION, current_version, migrate
from medsnap_endpoint.storage import open_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, make_database_url):
    opened = open_database(make_database_url(request.param))
    yield opened
    opened.close()


def test_migrations_are_recorded_and_idempotent(database):
    assert current_version(database) == LATEST_VERSION
    assert migrate(database) == []  # nothing left to apply
    with database.transaction() as tx:
        assert tx.one("SELECT name FROM schema_migrations WHERE version = 1") == ("initial schema",)


def test_commit_rollback_conflict_and_returning(database):
    with database.transaction(write=True) as tx:
        row = tx.one("INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) "
                     "RETURNING hits", ("b", 0))
        assert row == (1,)
    with pytest.raises(NotFound), database.transaction(write=True) as tx:
        tx.execute("UPDATE rate_limits SET hits = 99 WHERE bucket = ?", ("b",))
        raise NotFound("refused")
    with database.transaction(write=True, durable=False) as tx:
        assert tx.run("INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) "
                      "ON CONFLICT DO NOTHING", ("b", 0)) == 0
        assert tx.one("SELECT hits FROM rate_limits WHERE bucket = ?", ("b",)) == (1,)
    blob = bytes(range(256)) * 4  # a blob round-trips byte for byte
    with database.transaction(write=True) as tx:
        tx.execute("INSERT INTO clinicians (staff_id, email, display_name, created_at) "
                   "VALUES ('K', 'k@x', 'K', 0)")
        tx.execute("INSERT INTO key_files (staff_id, content, updated_at) VALUES (?, ?, 0)",
                   ("K", blob))
    with database.transaction() as tx:
        assert bytes(tx.one("SELECT content FROM key_files WHERE staff_id = 'K'")[0]) == blob


def test_serialize_orders_concurrent_writers(database):
    def bump() -> None:
        for _ in range(10):
            with database.transaction(write=True) as tx:
                tx.serialize("counter")
                row = tx.one("SELECT hits FROM rate_limits WHERE bucket = 'counter'")
                value = int(row[0]) + 1 if row else 1
                tx.execute("INSERT INTO rate_limits (bucket, window_start, hits) VALUES "
                           "('counter', 0, ?) ON CONFLICT (bucket) DO UPDATE SET hits = "
                           "excluded.hits", (value,))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.transaction() as tx:
        assert tx.one("SELECT hits FROM rate_limits WHERE bucket = 'counter'") == (40,)


def test_unknown_database_address_is_a_clear_error():
    with pytest.raises(AdminError, match="not understood"):
        open_database("mysql://example/db")


def test_postgresql_version_3_database_is_upgraded_to_functions_that_admit_and_audit_inline(
        make_database_url):
    database = open_database(make_database_url("postgresql"))
    try:
        with database.transaction(write=True) as tx:  # as a version 3 database left it
            tx.execute("DELETE FROM schema_migrations WHERE version = 4")
            tx.execute("CREATE FUNCTION medsnap_admit(TEXT, TEXT, BIGINT, BIGINT, BIGINT) "
                       "RETURNS INTEGER LANGUAGE sql AS 'SELECT 1'")
            tx.execute("CREATE FUNCTION medsnap_audit(BIGINT, BIGINT, TEXT, TEXT, TEXT, TEXT, "
                       "TEXT) RETURNS VOID LANGUAGE sql AS ''")
        assert migrate(database) == [4]
        mentioning = ("SELECT proname FROM pg_proc WHERE proname LIKE 'medsnap_%%' "
                      "AND prosrc LIKE ? ORDER BY proname")
        with database.transaction() as tx:
            assert tx.one("SELECT COUNT(*) FROM pg_proc WHERE proname IN "
                          "('medsnap_admit', 'medsnap_audit')") == (0,)
            for dropped in ("medsnap_admit", "medsnap_audit"):  # nothing calls them
                assert tx.all(mentioning, (f"%{dropped}(%",)) == []
            admitting = tx.all(mentioning, ("%INSERT INTO request_nonces%",))
            auditing = tx.all(mentioning, ("%INSERT INTO audit_log%",))
        assert [name for (name,) in admitting] == [
            "medsnap_acknowledge", "medsnap_download", "medsnap_inbox", "medsnap_send"]
        assert [name for (name,) in auditing] == [
            "medsnap_acknowledge", "medsnap_download", "medsnap_send"]
    finally:
        database.close()
