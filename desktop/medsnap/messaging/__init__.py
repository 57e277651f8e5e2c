"""The headless messaging engine (no Qt): the window and the command line only bind to it.

profile     profile folder per clinician (MEDSNAP_HOME), workstation file, endpoint choice
session     enrol, sign_in, Session (unlocked keys, colleague look-up, CRL, lock, idle lock)
transport   the endpoint client with failures sorted into unreachable vs refused; proxies
compose     queue_letter: verify clean, seal, store in the outbox
outbox      durable SQLite of ciphertext; queued/sent/delivered/read/failed/cancelled
sync        SyncWorker: send (exactly once), delivery states, inbox fetch; backoff + jitter
inbox       store ciphertext, acknowledge, verify once (verdict or refusal kept), open, expire
inbox_preview  the list's note preview and priority, sealed to the clinician's own key
drafts      autosave encrypted to the clinician's own key
audit       local hash-chained log and its verification
demo        embedded endpoint on 127.0.0.1 with a demo CA and demo colleagues
agent_*     the command line's key agent: server (holds the keys, signs, X25519), client
            (start, connect, lock; stand-in keys), socket (path, permissions, framing)
"""
