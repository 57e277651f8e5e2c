"""The hot statements' calls through libpq (storage/pg_wire.py) against a real PostgreSQL:
the same rows and the same error classes as psycopg's cursor, a statement prepared again when
its parameters' types change, a lost connection typed, and a large parameter sent whole."""

from __future__ import annotations

import asyncio
import os

import psycopg
import pytest

from medsnap_endpoint.storage.pg_wire import WireStatements

ROW = ("SELECT ?::text, ?::bigint, ?::bytea, ?::text[], ?::boolean, ?::text, "
       "length(?::bytea)")


def _run(url: str, work) -> object:
    async def main() -> object:
        connection = await psycopg.AsyncConnection.connect(url, autocommit=True)
        wire = WireStatements(connection)
        try:
            return await work(connection, wire)
        finally:
            wire.detach()
            await connection.close()

    return asyncio.run(main())


def test_rows_match_the_cursor_and_types_are_prepared_again(pg_cluster):
    url = pg_cluster.create_database()
    big = os.urandom(3 * 1024 * 1024)  # more than a socket buffer: sent in several flushes

    async def work(connection, wire):
        params = ("é clinician", 7, b"\x00\xff", ["B1", 'a "quoted", one'], True, None, big)
        cursor = connection.cursor(binary=True)
        await cursor.execute(ROW.replace("?::", "%s::"), params)
        expected = await cursor.fetchall()
        first = await wire.rows(ROW, params)
        wider = await wire.rows(ROW, ("x", 2 ** 40, b"", [], False, "y", b"z"))  # int8 now
        return expected, first, wider

    expected, first, wider = _run(url, work)
    assert first == expected == [("é clinician", 7, b"\x00\xff", ["B1", 'a "quoted", one'],
                                  True, None, len(big))]
    assert wider == [("x", 2 ** 40, b"", [], False, "y", 1)]


def test_prepared_statements_are_bounded(pg_cluster, monkeypatch):
    from medsnap_endpoint.storage import pg_wire

    monkeypatch.setattr(pg_wire, "PREPARED_LIMIT", 3)
    url = pg_cluster.create_database()

    async def work(connection, wire):
        answers = [await wire.rows(f"SELECT ?::int + {n}", (n,)) for n in range(7)]
        cursor = await connection.execute("SELECT count(*) FROM pg_prepared_statements")
        return answers, (await cursor.fetchone())[0]

    answers, prepared = _run(url, work)
    assert answers == [[(2 * n,)] for n in range(7)] and prepared == 1


def test_errors_are_psycopgs_and_the_connection_stays_usable(pg_cluster):
    url = pg_cluster.create_database()

    async def work(connection, wire):
        with pytest.raises(psycopg.errors.DivisionByZero):
            await wire.rows("SELECT 1 / ?::int", (0,))
        with pytest.raises(psycopg.errors.UndefinedTable):
            await wire.rows("SELECT * FROM no_such_table WHERE id = ?", (1,))
        assert not connection.broken
        return await wire.rows("SELECT ?::int + 1", (1,))

    assert _run(url, work) == [(2,)]


def test_the_socket_is_watched_once_until_detached(pg_cluster):
    url = pg_cluster.create_database()

    async def work(connection, wire):
        loop = asyncio.get_running_loop()
        added = []
        add_reader = loop.add_reader
        loop.add_reader = lambda fd, *args: (added.append(fd), add_reader(fd, *args))[1]
        try:
            answers = [await wire.rows("SELECT ?::int, repeat('x', 300000)", (n,))
                       for n in range(5)]  # (an answer that arrives in several reads)
        finally:
            del loop.add_reader
        socket = connection.pgconn.socket
        watched = loop.remove_reader(socket)  # True: it was still registered
        loop.add_reader(socket, wire._readable)
        wire.detach()
        return [row[0][0] for row in answers], added, socket, watched, \
            loop.remove_reader(socket)

    answers, added, socket, watched, after_detach = _run(url, work)
    assert answers == [0, 1, 2, 3, 4] and added == [socket]
    assert watched is True and after_detach is False


def test_a_connection_ended_while_idle_is_read_once_not_again_and_again(pg_cluster):
    url = pg_cluster.create_database()

    async def work(connection, wire):
        await wire.rows("SELECT ?::int", (1,))
        calls = []
        readable = wire._readable
        wire._readable = lambda: (calls.append(1), readable())
        loop = asyncio.get_running_loop()
        loop.add_reader(connection.pgconn.socket, wire._readable)  # (the counting callback)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as other:
            await other.execute("SELECT pg_terminate_backend(%s)",
                                (connection.info.backend_pid,))
        await asyncio.sleep(0.3)  # a reader left registered on a closed socket would spin
        with pytest.raises(psycopg.OperationalError):
            await wire.rows("SELECT ?::int", (2,))
        return len(calls)

    assert 1 <= _run(url, work) <= 3


def test_a_lost_connection_is_an_operational_error(pg_cluster):
    url = pg_cluster.create_database()

    async def work(connection, wire):
        await wire.rows("SELECT ?::int", (1,))
        pid = connection.info.backend_pid
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as other:
            await other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError):
            await wire.rows("SELECT ?::int", (2,))
        return connection.broken

    assert _run(url, work) is True
