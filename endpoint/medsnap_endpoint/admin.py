"""Administration on the server's own database (never through clinician authentication)."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import TextIO

from medsnap.crypto.certificates import HospitalCA
from medsnap_endpoint import audit, ca_service
from medsnap_endpoint import protocol as p
from medsnap_endpoint.errors import AdminError
from medsnap_endpoint.storage.base import Database, Transaction

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_enrolment_code() -> str:
    """Twenty characters (100 bits) in groups of four, easy to read out over the phone."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(20))
    return "-".join(raw[i:i + 4] for i in range(0, 20, 4))


def init_ca(database: Database, name: str, *, valid_days: int = 3650,
            unencrypted_key: bool = False) -> str:
    """Create the root CA; its key is encrypted with MEDSNAP_ENDPOINT_CA_PASSWORD, or stored
    in clear only with ``unencrypted_key=True`` (else AdminError, nothing stored)."""
    encrypted = ca_service.key_password(unencrypted_key=unencrypted_key) is not None
    ca = HospitalCA.create(name, valid_days=valid_days)
    with database.transaction(write=True) as tx:
        ca_service.store_ca(tx, ca, unencrypted_key=unencrypted_key)
        audit.record(tx, actor="admin", action="init_ca", subject=name,
                     detail={"serial": str(ca.root_certificate.serial_number),
                             "key_encrypted": encrypted})
    return ca.root_pem().decode()


def import_root(database: Database, cert_path: Path, key_path: Path,
                key_password: str | None = None, *, unencrypted_key: bool = False) -> str:
    encrypted = ca_service.key_password(unencrypted_key=unencrypted_key) is not None
    try:
        ca = HospitalCA.load(cert_path.read_bytes(), key_path.read_bytes(),
                             key_password.encode() if key_password else None)
    except (OSError, ValueError, TypeError) as error:
        raise AdminError(f"The root certificate or key could not be used: {error}. "
                         "Nothing was imported.") from None
    with database.transaction(write=True) as tx:
        ca_service.store_ca(tx, ca, unencrypted_key=unencrypted_key)
        audit.record(tx, actor="admin", action="import_root", subject=ca.name,
                     detail={"serial": str(ca.root_certificate.serial_number),
                             "key_encrypted": encrypted})
    return ca.root_pem().decode()


def _issue_code(tx: Transaction, staff_id: str, hours: int) -> tuple[str, int]:
    code, expires = new_enrolment_code(), int(time.time()) + hours * 3600
    tx.execute("INSERT INTO enrolment_codes (code_hash, staff_id, expires_at) VALUES (?, ?, ?)",
               (p.code_hash(code), staff_id, expires))
    return code, expires


def _withdraw_codes(tx: Transaction, staff_id: str) -> int:
    """Expire the clinician's enrolment codes not yet used: one that went astray must not enrol
    anybody (as them, superseding their certificates) once IT has issued another, disabled
    them or revoked them. Returns how many."""
    now = int(time.time())
    return tx.run("UPDATE enrolment_codes SET expires_at = ? WHERE staff_id = ? "
                  "AND redeemed_at IS NULL AND expires_at > ?", (now, staff_id, now))


def add_clinician(database: Database, *, staff_id: str, email: str, display_name: str,
                  role: str = "", department: str = "", code_hours: int = 72) -> tuple[str, int]:
    if not p.STAFF_ID_PATTERN.match(staff_id):
        raise AdminError("A staff id is 1-64 letters, digits, '.', '_' or '-'.")
    if "@" not in email or not display_name.strip():
        raise AdminError("A clinician needs an e-mail address and a display name.")
    with database.transaction(write=True) as tx:
        if tx.one("SELECT 1 FROM clinicians WHERE staff_id = ? OR email = ?", (staff_id, email)):
            raise AdminError(f"A clinician with staff id {staff_id} or e-mail {email} already "
                             "exists; nothing was changed. Use 'new-code' to re-enrol them.")
        tx.execute("INSERT INTO clinicians (staff_id, email, display_name, role, department, "
                   "enabled, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                   (staff_id, email, display_name.strip(), role, department, int(time.time())))
        code, expires = _issue_code(tx, staff_id, code_hours)
        audit.record(tx, actor="admin", action="add_clinician", subject=staff_id,
                     detail={"role": role, "department": department})
    return code, expires


def _require_clinician(tx: Transaction, staff_id: str) -> None:
    if tx.one("SELECT 1 FROM clinicians WHERE staff_id = ?", (staff_id,)) is None:
        raise AdminError(f"There is no clinician with staff id {staff_id}.")


def new_code(database: Database, staff_id: str, *, code_hours: int = 72) -> tuple[str, int]:
    with database.transaction(write=True) as tx:
        _require_clinician(tx, staff_id)
        withdrawn = _withdraw_codes(tx, staff_id)  # the new code replaces them
        code, expires = _issue_code(tx, staff_id, code_hours)
        audit.record(tx, actor="admin", action="new_code", subject=staff_id,
                     detail={"codes_withdrawn": withdrawn})
    return code, expires


def set_enabled(database: Database, staff_id: str, enabled: bool) -> bool:
    """Enable or disable a clinician; returns whether they were enabled before."""
    with database.transaction(write=True) as tx:
        row = tx.one("SELECT enabled FROM clinicians WHERE staff_id = ?", (staff_id,))
        if row is None:
            _require_clinician(tx, staff_id)  # raises, saying so
        tx.execute("UPDATE clinicians SET enabled = ? WHERE staff_id = ?",
                   (1 if enabled else 0, staff_id))
        if enabled:
            audit.record(tx, actor="admin", action="enable", subject=staff_id)
        else:
            audit.record(tx, actor="admin", action="disable", subject=staff_id,
                         detail={"codes_withdrawn": _withdraw_codes(tx, staff_id)})
    return bool(row[0])


def revoke(database: Database, *, staff_id: str | None = None, serial: str | None = None,
           reason: str | None = None) -> int:
    """``reason``: one of ca_service.REVOCATION_REASONS (None: unspecified). Revoking a
    clinician (not one certificate, a lost device's) also withdraws their unused codes."""
    if reason is not None and reason not in ca_service.REVOCATION_REASONS:
        raise AdminError(f"{reason!r} is not a revocation reason: use one of "
                         f"{', '.join(ca_service.REVOCATION_REASONS)}.")
    with database.transaction(write=True) as tx:
        withdrawn = 0
        if staff_id:
            _require_clinician(tx, staff_id)
            count = ca_service.revoke_staff(tx, staff_id, reason)
            withdrawn = _withdraw_codes(tx, staff_id)
        elif serial:
            count = ca_service.revoke_serial(tx, serial, reason)
        else:
            raise AdminError("Name a staff id or a certificate serial to revoke.")
        audit.record(tx, actor="admin", action="revoke", subject=staff_id or serial or "",
                     detail={"certificates": count, "reason": reason or "unspecified",
                             "codes_withdrawn": withdrawn})
    return count


def list_clinicians(database: Database) -> list[dict]:
    """Each clinician with their certificates (the serial ``revoke --serial`` takes, in
    decimal and as openssl prints it; times in epoch seconds)."""
    now = int(time.time())
    with database.transaction() as tx:
        rows = tx.all(
            "SELECT k.staff_id, k.display_name, k.email, k.role, k.department, k.enabled, "
            "(SELECT COUNT(*) FROM certificates c WHERE c.staff_id = k.staff_id "
            "AND c.revoked_at IS NULL AND c.not_after > ?) FROM clinicians k "
            "ORDER BY k.staff_id", (now,))
        certificates: dict[str, list[dict]] = {}
        for staff_id, serial, usage, issued, not_after, revoked, reason in tx.all(
                "SELECT staff_id, serial, usage, issued_at, not_after, revoked_at, "
                "revocation_reason FROM certificates ORDER BY issued_at, usage"):
            certificates.setdefault(staff_id, []).append({
                "serial": serial, "serial_hex": hex(int(serial)), "usage": usage,
                "issued_at": int(issued), "not_after": int(not_after),
                "revoked_at": None if revoked is None else int(revoked),
                "revocation_reason": reason})
    return [{"staff_id": r[0], "display_name": r[1], "email": r[2], "role": r[3],
             "department": r[4], "enabled": bool(r[5]), "enrolled": int(r[6]) > 0,
             "certificates": certificates.get(r[0], [])} for r in rows]


def export_audit(database: Database, out: TextIO) -> tuple[int, str]:
    """Write the audit log as JSON lines (one row each, with its chain hashes); returns how
    many rows were written and the head: the last written row's hash (64 zeros if none)."""
    count, head = 0, audit.GENESIS_HASH
    for row in audit.rows(database):
        out.write(json.dumps(row, sort_keys=True) + "\n")
        count, head = count + 1, str(row["hash"])
    return count, head


def new_endpoint_id(database: Database) -> dict:
    """A new random endpoint identity (after restoring another endpoint's backup, or to end
    every open session): sessions opened before are refused once ``serve`` restarts."""
    from medsnap_endpoint import sessions

    with database.transaction(write=True) as tx:
        identity = sessions.new_endpoint_id(tx)
        audit.record(tx, actor="admin", action="new_endpoint_id", subject=identity, detail={})
    return {"endpoint_id": identity,
            "effect": "restart every serve process of this endpoint; sessions opened before "
                      "are then refused and the apps open new ones"}
