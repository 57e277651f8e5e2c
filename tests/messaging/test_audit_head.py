"""The audit log's head kept in the keyring: a log cut short after an intact line is caught."""

from __future__ import annotations

from keyring_backends import MemoryKeyring

from medsnap.crypto.keystore import KeyStore
from medsnap.messaging.audit import AuditLog
from medsnap.messaging.audit_head import KeyringAuditHead


def _log(tmp_path, backend) -> AuditLog:
    head = KeyringAuditHead(KeyStore(keyring_backend=backend), "ann1")
    return AuditLog(tmp_path / "audit.jsonl", head)


def test_a_log_cut_short_is_not_intact_though_its_chain_is(tmp_path):
    backend = MemoryKeyring()
    log = _log(tmp_path, backend)
    for number in range(5):
        log.record("sent", id=str(number))
    check = log.verify()
    assert check.intact and check.head_kept and check.entries == 5
    lines = log.path.read_text().splitlines(keepends=True)
    log.path.write_text("".join(lines[:3]))  # the chain of what is left is intact
    assert AuditLog(log.path).verify().intact  # what the file alone can tell
    cut = _log(tmp_path, backend).verify()
    assert not cut.intact
    assert "has 3 entries but had 5" in " ".join(cut.problems)
    log.path.write_text("".join(lines))
    assert _log(tmp_path, backend).verify().intact


def test_a_log_rewritten_from_a_point_on_is_caught_at_the_kept_line(tmp_path):
    backend = MemoryKeyring()
    log = _log(tmp_path, backend)
    for number in range(3):
        log.record("sent", id=str(number))
    kept_lines = log.path.read_text().splitlines(keepends=True)
    log.path.write_text("".join(kept_lines[:2]))  # cut, then re-chained with new lines
    AuditLog(log.path).record("sent", id="other")  # written past the keyring
    AuditLog(log.path).record("sent", id="more")
    check = _log(tmp_path, backend).verify()
    assert not check.intact and "line 3 is not the one the keyring recorded" in check.problems


def test_a_keyring_that_fails_never_stops_the_log(tmp_path):
    from keyring.backends.fail import Keyring as NoKeyring

    log = _log(tmp_path, NoKeyring())
    log.record("sent", id="1")
    check = log.verify()
    assert check.intact and not check.head_kept and check.entries == 1
