"""PostgreSQL: recipients acknowledging one message at the same moment; the last one deletes
the ciphertext (each used to see the other's delivery still waiting, and both kept it)."""

from __future__ import annotations

import threading
import time
import uuid

from endpoint_support import enrolment_factory

from medsnap_endpoint.audit import CHAIN_LOCK_NAME
from medsnap_endpoint.storage import open_database
from medsnap_endpoint.storage.postgres import lock_key


def test_two_recipients_acknowledging_at_once_leave_no_ciphertext(start_server):
    server = start_server("postgresql")
    enrol = enrolment_factory(server)
    alice, bob, carol = enrol(), enrol(), enrol()
    alice.send("for-two", [bob.staff_id, carol.staff_id], b"ciphertext for bob and carol")
    item = bob.inbox()[0]["id"]
    database = open_database(server.database_url)
    answers: list[dict] = []
    try:
        # bob's acknowledgement, made by the route's own function, is held uncommitted while
        # carol's arrives over HTTP
        now = int(time.time())
        with database.transaction(write=True, durable=False) as tx:
            row = tx.one("SELECT * FROM medsnap_acknowledge(?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                bob.keys.key_id, uuid.uuid4().hex, now, now + 600, now - now % 60, 100000,
                True, lock_key(CHAIN_LOCK_NAME), int(item)))
            assert row is not None and (row[4], row[5]) == ("ok", "delivered")
            carol_acks = threading.Thread(
                target=lambda: answers.append(carol.acknowledge(item)))
            carol_acks.start()
            carol_acks.join(0.5)
        carol_acks.join(30)
        assert answers == [{"id": item, "status": "delivered"}]
        with database.transaction() as tx:
            left = tx.one("SELECT COUNT(*) FROM message_chunks WHERE message_id = ?",
                          (int(item),))
        assert left is not None and int(left[0]) == 0
    finally:
        database.close()
    assert {r["staff_id"]: r["status"] for r in alice.status("for-two")["recipients"]} == {
        bob.staff_id: "delivered", carol.staff_id: "delivered"}
