"""Letters kept as files survive a process killed (SIGKILL) at any moment while it stores them:
every row the outbox or inbox holds names a complete letter, byte for byte; what the kill cut
short is a file no row names, swept once old."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medsnap.messaging import letter_files
from medsnap.messaging.outbox import Outbox

# the child stores letters of 1-3 MB, each filled from its own id, until it is killed (ids
# carry the child's pid: a later child counting from 1 again must not meet an earlier id)
CHILD = r"""
import os, sys, time
from pathlib import Path
store, database = sys.argv[1], Path(sys.argv[2])

def letter(letter_id):
    size = (1 + int(letter_id[-2:], 16) % 3) << 20
    return (letter_id.encode() * (size // len(letter_id) + 1))[:size]

if store == "outbox":
    from medsnap.messaging.outbox import Outbox
    outbox = Outbox(database)
    number = 0
    while True:
        number += 1
        message_id = f"{os.getpid():07d}{number:06d}{time.time_ns() % 256:02x}"
        outbox.enqueue(["b"], letter(message_id), 2**40, message_id)
        print(message_id, flush=True)
else:
    from medsnap.messaging.inbox_rows import INBOX_SCHEMA
    from medsnap.messaging.inbox_arrival import store_letter
    number = 0
    while True:
        number += 1
        item_id = f"{os.getpid():07d}{number:06d}{time.time_ns() % 256:02x}"
        store_letter(database, INBOX_SCHEMA, item_id, {"sender": "a", "expires_at": 2**40},
                     letter(item_id))
        print(item_id, flush=True)
"""


def expected(letter_id: str) -> bytes:
    size = (1 + int(letter_id[-2:], 16) % 3) << 20
    return (letter_id.encode() * (size // len(letter_id) + 1))[:size]


def stored_ids(database: Path, table: str) -> list[str]:
    db = sqlite3.connect(str(database))
    try:
        return [row[0] for row in db.execute(f"SELECT id FROM {table}")]
    finally:
        db.close()


@pytest.mark.parametrize("store", ["outbox", "inbox"])
def test_killed_while_storing_leaves_only_complete_letters(tmp_path, store):
    database = tmp_path / f"{store}.db"
    rng = random.Random(6)
    confirmed: list[str] = []
    for _ in range(3):
        child = subprocess.Popen([sys.executable, "-c", CHILD, store, str(database)],
                                 stdout=subprocess.PIPE, text=True)
        for _ in range(2):  # at least two stored by this run, then a kill at any moment
            confirmed.append(child.stdout.readline().strip())
        time.sleep(rng.uniform(0.0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        confirmed += [line.strip() for line in child.stdout if line.strip()]
        child.stdout.close()

        ids = stored_ids(database, store)
        assert set(confirmed) <= set(ids)  # what it said was stored, is
        files = letter_files.beside(database)
        for letter_id in ids:
            assert files.read(letter_id) == expected(letter_id), letter_id
    if store == "outbox":
        outbox = Outbox(database)
        try:
            assert all(outbox.ciphertext(m) == expected(m) for m in ids)
        finally:
            outbox.close()
    named = {letter_files.file_name(letter_id) for letter_id in ids}
    folder = letter_files.beside(database).folder
    leftovers = [path.name for path in folder.iterdir() if path.name not in named]
    later = time.time() + letter_files.SWEEP_AFTER + 1
    assert sorted(letter_files.beside(database).sweep(ids, now=later)) == sorted(leftovers)
    assert sorted(path.name for path in folder.iterdir()) == sorted(named)
    assert os.listdir(folder)  # the letters themselves stay
