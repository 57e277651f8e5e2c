"""Schema migrations: a versioned list of SQL steps, recorded in ``schema_migrations``.

Add new steps at the END with the next version number; never edit a step that has shipped.
``{pk}`` and ``{blob}`` are replaced per dialect (the only two differences we need).
"""

from __future__ import annotations

import time

from medsnap_endpoint.storage import pg_functions
from medsnap_endpoint.storage.base import Database

DIALECT_TOKENS = {
    "sqlite": {"pk": "INTEGER PRIMARY KEY AUTOINCREMENT", "blob": "BLOB"},
    "postgresql": {"pk": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "blob": "BYTEA"},
}

#: a step is SQL for every dialect, or (dialect, SQL) for that one only (used as written)
MIGRATIONS: list[tuple[int, str, list[str | tuple[str, str]]]] = [
    (1, "initial schema", [
        """CREATE TABLE ca (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            cert_pem TEXT NOT NULL,
            key_pem TEXT NOT NULL,
            key_encrypted INTEGER NOT NULL,
            created_at BIGINT NOT NULL)""",
        """CREATE TABLE clinicians (
            staff_id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            department TEXT NOT NULL DEFAULT '',
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at BIGINT NOT NULL)""",
        """CREATE TABLE enrolment_codes (
            code_hash TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL REFERENCES clinicians(staff_id),
            expires_at BIGINT NOT NULL,
            redeemed_at BIGINT)""",
        """CREATE TABLE enrolment_challenges (
            challenge_id TEXT PRIMARY KEY,
            code_hash TEXT NOT NULL,
            encryption_key {blob} NOT NULL,
            signing_key {blob} NOT NULL,
            nonce {blob} NOT NULL,
            expected_proof {blob} NOT NULL,
            expires_at BIGINT NOT NULL)""",
        """CREATE TABLE certificates (
            serial TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL REFERENCES clinicians(staff_id),
            usage TEXT NOT NULL,
            key_id TEXT NOT NULL,
            pem TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            not_after BIGINT NOT NULL,
            revoked_at BIGINT)""",
        "CREATE INDEX certificates_by_key ON certificates(key_id)",
        "CREATE INDEX certificates_by_staff ON certificates(staff_id)",
        """CREATE TABLE request_nonces (
            key_id TEXT NOT NULL,
            nonce TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (key_id, nonce))""",
        "CREATE INDEX request_nonces_by_expiry ON request_nonces(expires_at)",
        """CREATE TABLE rate_limits (
            bucket TEXT PRIMARY KEY,
            window_start BIGINT NOT NULL,
            hits BIGINT NOT NULL)""",
        """CREATE TABLE key_files (
            staff_id TEXT PRIMARY KEY REFERENCES clinicians(staff_id),
            content {blob} NOT NULL,
            updated_at BIGINT NOT NULL)""",
        """CREATE TABLE messages (
            id {pk},
            sender TEXT NOT NULL,
            client_message_id TEXT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            recipients TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            UNIQUE (sender, client_message_id))""",
        """CREATE TABLE message_chunks (
            message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            data {blob} NOT NULL,
            PRIMARY KEY (message_id, seq))""",
        """CREATE TABLE deliveries (
            message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            status TEXT NOT NULL,
            downloaded_at BIGINT,
            delivered_at BIGINT,
            read_at BIGINT,
            expired_at BIGINT,
            PRIMARY KEY (message_id, recipient))""",
        "CREATE INDEX deliveries_by_recipient ON deliveries(recipient, status)",
        """CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            detail TEXT NOT NULL,
            outcome TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL)""",
    ]),
    (2, "durability seals", [
        # one row per serving process, rewritten by each group-commit flush on PostgreSQL: a
        # synchronous commit flushes the WAL only if its transaction wrote something
        """CREATE TABLE durability_seals (
            sealer TEXT PRIMARY KEY,
            sealed_at BIGINT NOT NULL)""",
    ]),
    (3, "hot route functions", [
        # PostgreSQL only: each hot route's admission, work and audit row in one statement
        ("postgresql", step) for step in pg_functions.STEPS
    ]),
    (4, "hot route functions admit and audit inline", [
        # the same functions, each with the admission's and the audit row's statements in its
        # body instead of calls of medsnap_admit and medsnap_audit (about 30 and 20 us less)
        ("postgresql", "DROP FUNCTION IF EXISTS medsnap_admit(TEXT, TEXT, BIGINT, BIGINT, BIGINT)"),
        ("postgresql", "DROP FUNCTION IF EXISTS "
                       "medsnap_audit(BIGINT, BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT)"),
        *(("postgresql", step) for step in pg_functions.STEPS),
    ]),
    (5, "revocation reasons", [
        # why IT revoked a certificate (NULL: unspecified), written into the CRL
        "ALTER TABLE certificates ADD COLUMN revocation_reason TEXT",
    ]),
    (6, "endpoint identity", [
        # a random id made once per database (sessions.endpoint_id): mixed into the session
        # secret, so a session opened at another endpoint under the same root is refused here
        """CREATE TABLE endpoint_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            endpoint_id TEXT NOT NULL,
            created_at BIGINT NOT NULL)""",
    ]),
    (7, "download reads the ciphertext in the calling statement", [
        # PostgreSQL only: medsnap_download leaves o_first NULL; the route's statement joins
        # the chunk (100 us less of PostgreSQL's CPU per 100 KB download, measured)
        ("postgresql", step) for step in pg_functions.DOWNLOAD_WITHOUT_CIPHERTEXT
    ]),
    (8, "refusal receipts", [
        # a delivery the recipient's app acknowledged, then refused to open (status 'refused'):
        # when, and why (one of protocol.REFUSAL_REASONS); NULL for every other delivery
        "ALTER TABLE deliveries ADD COLUMN refused_at BIGINT",
        "ALTER TABLE deliveries ADD COLUMN refusal TEXT",
    ]),
]

LATEST_VERSION = MIGRATIONS[-1][0]


def _render(sql: str, dialect: str) -> str:
    return sql.format(**DIALECT_TOKENS[dialect])


def migrate(database: Database) -> list[int]:
    """Apply every step not yet recorded; safe to run from several processes at once."""
    applied: list[int] = []
    with database.transaction(write=True) as tx:
        tx.serialize("medsnap-migrations")
        tx.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)""")
        done = {row[0] for row in tx.all("SELECT version FROM schema_migrations")}
        for version, name, steps in MIGRATIONS:
            if version in done:
                continue
            for step in steps:
                if isinstance(step, tuple):
                    if step[0] == database.dialect:
                        tx.execute(step[1])
                else:
                    tx.execute(_render(step, database.dialect))
            tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       (version, name, int(time.time())))
            applied.append(version)
    return applied


def current_version(database: Database) -> int:
    with database.transaction() as tx:
        row = tx.one("SELECT MAX(version) FROM schema_migrations")
    return int(row[0] or 0) if row else 0
