"""PostgreSQL functions for the hot routes: admission, the route's work and its audit row in
ONE statement (one round trip, its own transaction) instead of one statement per step.

Each route function first admits the request exactly as :data:`medsnap_endpoint.auth.
_ADMIT_POSTGRESQL` does (certificate current, clinician enabled, nonce stored, request
counted) and returns that verdict in ``o_staff_id, o_enabled, o_fresh, o_hits``; the work runs
only for an admitted request (``o_hits <= p_limit``). A refusal of the work is an ``o_outcome``
code, never an exception, so the nonce and the count are committed with it (a nonce is single
use even when the request is refused); Python turns the code into the same typed error as
before. The audit row is appended last (the chain lock is taken after every row lock), its
hash over the same bytes as :func:`medsnap_endpoint.audit._row_hash`: the fields it encodes
(staff ids, message ids, actions, compact JSON of them) are ASCII, where ``to_json`` and
Python's ``json.dumps`` agree. Installed by migration 3, again by migration 4 (which drops the
``medsnap_admit`` and ``medsnap_audit`` functions they called before; PostgreSQL only).
"""

from __future__ import annotations

def _audit_row(action: str, subject: str, detail: str) -> str:
    """The statements appending a route's audit row (by ``o_staff_id`` at ``p_now``, outcome
    ok), written into its function as the admission is: ``subject`` and ``detail`` are TEXT
    expressions; the function declares ``v_seq BIGINT, v_prev TEXT, v_detail TEXT``."""
    return f"""
    v_detail := {detail};
    PERFORM pg_advisory_xact_lock(p_chain_lock);
    -- a statement after the lock: its snapshot sees the last committed row
    SELECT a.seq, a.hash INTO v_seq, v_prev FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
    v_seq := COALESCE(v_seq, 0) + 1;
    v_prev := COALESCE(v_prev, repeat('0', 64));
    INSERT INTO audit_log (seq, at, actor, action, subject, detail, outcome, prev_hash, hash)
    VALUES (v_seq, p_now, o_staff_id, '{action}', {subject}, v_detail, 'ok', v_prev,
        encode(sha256(convert_to(v_prev || E'\\n[' || v_seq || ',' || p_now || ','
            || to_json(o_staff_id)::text || ',' || to_json('{action}'::text)::text || ','
            || to_json({subject})::text || ',' || to_json(v_detail)::text || ','
            || to_json('ok'::text)::text || ']', 'UTF8')), 'hex'));"""


# a download's and an acknowledgement's audit detail, as audit.record writes it
_FROM_AND_SIZE = """'{{"from":' || to_json({sender})::text || ',"size":' || {size} || '}}'"""

_AUDIT_VARIABLES = """
    v_seq BIGINT;
    v_prev TEXT;
    v_detail TEXT;"""

# the admission parameters every route function starts with, and its verdict columns
_ADMISSION_IN = ("p_key_id TEXT, p_nonce TEXT, p_now BIGINT, p_nonce_expiry BIGINT, "
                 "p_window BIGINT, p_limit BIGINT, p_body_ok BOOLEAN, p_chain_lock BIGINT")
_ADMISSION_OUT = ("OUT o_staff_id TEXT, OUT o_enabled INTEGER, OUT o_fresh BOOLEAN, "
                  "OUT o_hits BIGINT, OUT o_outcome TEXT")
# medsnap_admit's statements, written into each route function: called as a function from
# one, its result set cost about 50 us per request (pg_stat_statements), as much as its work
_ADMIT_FIRST = """
    o_fresh := FALSE;
    SELECT c.staff_id, k.enabled INTO o_staff_id, o_enabled
        FROM certificates c JOIN clinicians k ON k.staff_id = c.staff_id
        WHERE c.key_id = p_key_id AND c.usage = 'signing' AND c.revoked_at IS NULL
        AND c.not_after > p_now LIMIT 1;
    IF o_staff_id IS NULL OR o_enabled = 0 THEN
        o_outcome := 'refused';
        RETURN;
    END IF;
    INSERT INTO request_nonces (key_id, nonce, expires_at)
        VALUES (p_key_id, p_nonce, p_nonce_expiry) ON CONFLICT DO NOTHING;
    o_fresh := FOUND;
    IF NOT o_fresh THEN
        o_outcome := 'refused';
        RETURN;
    END IF;
    INSERT INTO rate_limits AS r (bucket, window_start, hits)
        VALUES ('staff:' || o_staff_id, p_window, 1)
        ON CONFLICT (bucket) DO UPDATE SET
        hits = CASE WHEN r.window_start = excluded.window_start THEN r.hits + 1 ELSE 1 END,
        window_start = excluded.window_start
        RETURNING r.hits INTO o_hits;
    IF o_hits > p_limit THEN
        o_outcome := 'refused';
        RETURN;
    END IF;
    IF NOT p_body_ok THEN
        o_outcome := 'body_mismatch';
        RETURN;
    END IF;"""

_DOWNLOAD = f"""
CREATE OR REPLACE FUNCTION medsnap_download({_ADMISSION_IN}, p_item BIGINT, {_ADMISSION_OUT},
    OUT o_size BIGINT, OUT o_sha256 TEXT, OUT o_sender TEXT, OUT o_message_id TEXT,
    OUT o_chunks BIGINT, OUT o_first BYTEA)
LANGUAGE plpgsql AS $fn$
DECLARE{_AUDIT_VARIABLES}
BEGIN{_ADMIT_FIRST}
    UPDATE deliveries d SET downloaded_at = COALESCE(d.downloaded_at, p_now)
        WHERE d.message_id = p_item AND d.recipient = o_staff_id AND d.status = 'stored';
    IF NOT FOUND THEN
        o_outcome := CASE WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = p_item
            AND d.recipient = o_staff_id) THEN 'gone' ELSE 'not_found' END;
        RETURN;
    END IF;
    SELECT m.size, m.sha256, m.sender, m.client_message_id
        INTO o_size, o_sha256, o_sender, o_message_id FROM messages m WHERE m.id = p_item;
    SELECT COUNT(*) INTO o_chunks FROM message_chunks c WHERE c.message_id = p_item;
    -- o_first stays NULL since migration 7: the calling statement joins the one chunk of a
    -- small message (postgres_work.plan_download), read once as it is sent instead of copied
    -- into a variable and the function's result first (kept: a process still running the code
    -- before reads a NULL o_first as several chunks, and streams them)
{_audit_row("download", "o_message_id", _FROM_AND_SIZE.format(sender="o_sender",
                                                                  size="o_size"))}
    o_outcome := 'ok';
END $fn$"""

_ACKNOWLEDGE = f"""
CREATE OR REPLACE FUNCTION medsnap_acknowledge({_ADMISSION_IN}, p_item BIGINT,
    {_ADMISSION_OUT}, OUT o_status TEXT)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_size BIGINT;
    v_sender TEXT;
    v_message_id TEXT;{_AUDIT_VARIABLES}
BEGIN{_ADMIT_FIRST}
    -- recipients acknowledging one message queue here, so the last one's statements see the
    -- others' acknowledgements committed and it deletes the ciphertext (without this lock, two
    -- at once each saw the other's delivery still stored and both left it behind)
    PERFORM 1 FROM messages m WHERE m.id = p_item FOR NO KEY UPDATE;
    UPDATE deliveries d SET status = 'delivered', delivered_at = p_now
        WHERE d.message_id = p_item AND d.recipient = o_staff_id AND d.status = 'stored';
    IF NOT FOUND THEN  -- not yours, expired, or acknowledged already (answered again)
        SELECT d.status INTO o_status FROM deliveries d
            WHERE d.message_id = p_item AND d.recipient = o_staff_id;
        o_outcome := CASE WHEN o_status IS NULL THEN 'not_found'
            WHEN o_status = 'expired' THEN 'gone' ELSE 'ok' END;
        RETURN;
    END IF;
    SELECT m.size, m.sender, m.client_message_id INTO v_size, v_sender, v_message_id
        FROM messages m WHERE m.id = p_item;
    DELETE FROM message_chunks c WHERE c.message_id = p_item AND NOT EXISTS (
        SELECT 1 FROM deliveries d WHERE d.message_id = p_item AND d.status = 'stored');
{_audit_row("acknowledge", "v_message_id", _FROM_AND_SIZE.format(sender="v_sender",
                                                                     size="v_size"))}
    o_status := 'delivered';
    o_outcome := 'ok';
END $fn$"""

_INBOX = f"""
CREATE OR REPLACE FUNCTION medsnap_inbox({_ADMISSION_IN}, p_max BIGINT)
RETURNS TABLE (o_staff_id TEXT, o_enabled INTEGER, o_fresh BOOLEAN, o_hits BIGINT,
    o_outcome TEXT, id BIGINT, sender TEXT, message_id TEXT, size BIGINT, sha256 TEXT,
    stored_at BIGINT, expires_at BIGINT, downloaded_at BIGINT)
LANGUAGE plpgsql AS $fn$
BEGIN{_ADMIT_FIRST.replace("RETURN;", "RETURN NEXT; RETURN;")}
    o_outcome := 'ok';
    RETURN NEXT;  -- the verdict row; the messages follow
    o_outcome := NULL;
    RETURN QUERY SELECT o_staff_id, o_enabled, o_fresh, o_hits, o_outcome, m.id, m.sender,
        m.client_message_id, m.size, m.sha256, m.created_at, m.expires_at, d.downloaded_at
        FROM deliveries d JOIN messages m ON m.id = d.message_id
        WHERE d.recipient = o_staff_id AND d.status = 'stored' ORDER BY m.id LIMIT p_max;
END $fn$"""

_SEND = f"""
CREATE OR REPLACE FUNCTION medsnap_send({_ADMISSION_IN}, p_message_id TEXT, p_size BIGINT,
    p_sha256 TEXT, p_recipients TEXT[], p_recipients_json TEXT, p_expires BIGINT,
    p_first BYTEA, p_rest BYTEA[], p_detail TEXT, {_ADMISSION_OUT}, OUT o_unknown TEXT[],
    OUT o_disabled TEXT[], OUT o_not_enrolled TEXT[], OUT o_size BIGINT, OUT o_sha256 TEXT,
    OUT o_recipients TEXT, OUT o_created BIGINT, OUT o_expires BIGINT)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_id BIGINT;{_AUDIT_VARIABLES}
BEGIN{_ADMIT_FIRST}
    INSERT INTO messages (sender, client_message_id, size, sha256, recipients, created_at,
        expires_at) VALUES (o_staff_id, p_message_id, p_size, p_sha256, p_recipients_json,
        p_now, p_expires)
        ON CONFLICT (sender, client_message_id) DO NOTHING RETURNING messages.id INTO v_id;
    IF v_id IS NULL THEN  -- sent before (a retry): Python compares it with this one
        SELECT m.size, m.sha256, m.recipients, m.created_at, m.expires_at
            INTO o_size, o_sha256, o_recipients, o_created, o_expires
            FROM messages m WHERE m.sender = o_staff_id AND m.client_message_id = p_message_id;
        o_outcome := 'existing';
        RETURN;
    END IF;
    SELECT array_agg(r.staff_id ORDER BY r.n) FILTER (WHERE k.staff_id IS NULL),
        array_agg(r.staff_id ORDER BY r.n) FILTER (WHERE k.enabled = 0),
        array_agg(r.staff_id ORDER BY r.n) FILTER (WHERE k.enabled <> 0 AND NOT EXISTS (
            SELECT 1 FROM certificates c WHERE c.staff_id = k.staff_id
            AND c.usage = 'encryption' AND c.revoked_at IS NULL AND c.not_after > p_now))
        INTO o_unknown, o_disabled, o_not_enrolled
        FROM unnest(p_recipients) WITH ORDINALITY AS r(staff_id, n)
        LEFT JOIN clinicians k ON k.staff_id = r.staff_id;
    IF o_unknown IS NOT NULL OR o_disabled IS NOT NULL OR o_not_enrolled IS NOT NULL THEN
        DELETE FROM messages m WHERE m.id = v_id;  -- nothing else was written for it yet
        o_outcome := 'unreachable';
        RETURN;
    END IF;
    INSERT INTO message_chunks (message_id, seq, data) VALUES (v_id, 0, p_first);
    IF p_rest IS NOT NULL THEN  -- (a bytea array costs more than the one chunk of most)
        INSERT INTO message_chunks (message_id, seq, data)
            SELECT v_id, c.n, c.data FROM unnest(p_rest) WITH ORDINALITY AS c(data, n);
    END IF;
    INSERT INTO deliveries (message_id, recipient, status)
        SELECT v_id, r, 'stored' FROM unnest(p_recipients) AS r;
{_audit_row("send", "p_message_id", "p_detail")}
    o_outcome := 'stored';
END $fn$"""

#: migration 3's steps (and 4's, after dropping the functions the routes no longer call)
STEPS = [_DOWNLOAD, _ACKNOWLEDGE, _INBOX, _SEND]
#: migration 7's: the download no longer reads the ciphertext itself
DOWNLOAD_WITHOUT_CIPHERTEXT = [_DOWNLOAD]
