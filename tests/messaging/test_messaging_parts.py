"""The engine's parts on their own: backoff, outbox states, audit chain, transport errors and
proxy, drafts surviving a killed autosaver."""

from __future__ import annotations

import random
import signal
import socketserver
import subprocess
import sys
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from http_peers import ForwardProxy

from medsnap.messaging.audit import AuditLog
from medsnap.messaging.drafts import DraftStore
from medsnap.messaging.errors import EndpointRefusedRequest, EndpointUnreachable, NoSuchMessage
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sync import MAX_DELAY, backoff_delay
from medsnap.messaging.transport import Transport


def test_backoff_grows_is_capped_and_jittered():
    rng = random.Random(5)
    delays = [backoff_delay(n, rng=rng) for n in range(12)]
    assert all(1.0 <= d <= 2.0 for d in delays[:1])
    assert delays[4] > delays[1]
    assert all(d <= MAX_DELAY for d in delays) and delays[-1] >= MAX_DELAY / 2
    assert len({round(backoff_delay(3), 6) for _ in range(20)}) > 1  # jitter


def test_outbox_states_retry_and_cancel(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db")
    first = outbox.enqueue(["b"], b"cipher-1", 2_000_000_000)
    second = outbox.enqueue(["c", "a"], b"cipher-2", 2_000_000_000)
    assert outbox.get(second).recipients == ["a", "c"]
    outbox.postpone(first, "offline", 60)
    assert [i.id for i in outbox.due()] == [second]
    outbox.mark_failed(first, "recipients unreachable")
    assert outbox.get(first).state == "failed"
    outbox.retry(first)
    assert outbox.get(first).state == "queued" and outbox.get(first).attempts == 0
    outbox.cancel(first)
    assert outbox.get(first).state == "cancelled"
    with pytest.raises(NoSuchMessage):
        outbox.ciphertext(first)  # the cancelled ciphertext is gone
    outbox.mark_sent(second)
    with pytest.raises(NoSuchMessage):
        outbox.cancel(second)
    assert outbox.mark_delivery(second, "read") and not outbox.mark_delivery(second, "delivered")
    assert outbox.get(second).state == "read"
    assert outbox.delete_expired(now=2_000_000_001) == [first, second]


def test_audit_chain_detects_edit_removal_and_truncation(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    for n in range(4):
        log.record("sent", id=str(n))
    check = log.verify()
    assert check.intact and check.entries == 4
    lines = log.path.read_text().splitlines(keepends=True)
    log.path.write_text("".join(lines[:3]))
    assert log.verify().intact and not log.verify(expect_head=check.head).intact
    log.path.write_text("".join([lines[0], lines[2], lines[3]]))
    assert not log.verify().intact
    log.path.write_text("".join(lines).replace('"id":"2"', '"id":"9"'))
    assert log.verify().problems == ["line 3: its contents were changed"]


def test_audit_chain_continues_past_the_tail_it_reads_and_after_a_huge_line(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    for n in range(600):  # well past the 64 KiB read from the end
        log.record("sent", id=f"{n:032d}")
    log.record("refused", reason="x" * 100_000)  # one line longer than the tail
    log.record("received", id="last")
    check = log.verify()
    assert log.path.stat().st_size > 200_000
    assert check.intact and check.entries == 602
    assert log.entries()[-1]["seq"] == 602


def test_transport_sorts_down_from_refused(endpoint):
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    down = Transport(f"http://127.0.0.1:{port}", timeout=5)
    with pytest.raises(EndpointUnreachable, match="cannot be reached: no connection") as down_:
        down.call(down.client.healthz)
    # it says what went wrong in words; whether anything was kept is the caller's to say
    assert "Error" not in down_.value.message and "will be sent" not in down_.value.message
    up = Transport(endpoint.url)
    with pytest.raises(EndpointRefusedRequest) as refused:
        up.call(up.client.fetch_key_file, "nobody-here")
    assert refused.value.status == 404


def test_transport_uses_the_configured_proxy(endpoint, monkeypatch):
    with ForwardProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url())
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        transport = Transport(endpoint.url)
        assert transport.call(transport.client.healthz)
        assert any(target.endswith("/healthz") for _, target, _ in proxy.seen)


AUTOSAVER = """
import sys, time
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from medsnap.messaging.drafts import DraftStore
owner = X25519PublicKey.from_public_bytes(bytes.fromhex(sys.argv[2]))
store = DraftStore(Path(sys.argv[1]))
n = 0
while True:
    n += 1
    store.save(sys.argv[3], b"revision %d " % n + b"x" * 200_000, owner)
    print(n, flush=True)
"""


def test_draft_survives_a_killed_autosave(tmp_path):
    key = X25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    draft_id = DraftStore.new_id()
    saver = subprocess.Popen([sys.executable, "-c", AUTOSAVER, str(tmp_path), public, draft_id],
                             stdout=subprocess.PIPE, text=True)
    for line in saver.stdout:
        if int(line) >= 5:
            break
    time.sleep(0.01)
    saver.send_signal(signal.SIGKILL)
    saver.wait(timeout=10)
    saver.stdout.close()
    store = DraftStore(tmp_path)
    [info] = store.pending()
    restored = store.restore(info.id, key)
    assert restored.startswith(b"revision ") and len(restored) > 200_000
    assert int(restored.split()[1]) >= 5
