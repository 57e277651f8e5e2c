"""Every tunable of a serving process, declared once with its default."""

from __future__ import annotations

from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    #: largest message ciphertext accepted (bytes); the body is streamed and cut off past this
    max_message_bytes: int = 50 * MB
    #: largest deposited passphrase-wrapped key file
    max_key_file_bytes: int = 64 * 1024
    #: largest JSON request body
    max_json_bytes: int = 64 * 1024
    #: most recipients of one message
    max_recipients: int = 50
    #: how long an unacknowledged message waits in a mailbox
    retention_seconds: int = 14 * 24 * 3600
    #: how long message metadata (for the sender's status queries) outlives the ciphertext
    metadata_retention_seconds: int = 30 * 24 * 3600
    #: accepted difference between a request's timestamp and the server clock
    max_clock_skew_seconds: int = 120
    #: signed requests per clinician per minute
    requests_per_minute: int = 600
    #: unauthenticated enrolment and public requests per client address per minute
    public_requests_per_minute: int = 60
    #: key file fetches per staff id per hour, and per client address per hour
    key_fetches_per_staff_per_hour: int = 5
    key_fetches_per_client_per_hour: int = 20
    #: how long a one-time enrolment code is valid by default
    enrolment_code_hours: int = 72
    #: how long an enrolment challenge may be answered
    challenge_seconds: int = 300
    #: clinician certificate validity
    certificate_days: int = 825
    #: size of the rows the ciphertext is stored in
    chunk_bytes: int = 1 * MB
    #: seconds between expiry sweeps run by each serving process (0: never)
    sweep_interval_seconds: int = 300
    #: PostgreSQL: seconds between this process's looks for deleted ciphertext whose space
    #: VACUUM should make reusable (:mod:`.storage.pg_reclaim`; 0: leave it to autovacuum)
    reclaim_interval_seconds: int = 2
    #: how long an idle keep-alive connection stays open. Well past the clients' pool expiry
    #: (httpx: 5 s): if the server closed first, a client reusing the connection at that very
    #: moment got "Server disconnected without sending a response" (uvicorn's default is 5 s)
    keep_alive_seconds: int = 75
    #: how long a session key (POST /v1/session) signs requests; each request is still checked
    #: against the certificate and the account, so revocation is not delayed by it
    session_seconds: int = 300
    #: longest a hot route waits for PostgreSQL (a connection, its statement, the flush) before
    #: refusing with 503 database_unavailable; also each connection's statement_timeout
    database_timeout_seconds: int = 30
    #: the names (``name`` or ``name:port``) clients address this endpoint by; a signed request
    #: sent to any other Host is refused. Empty: any Host (it is still signed). Set it in
    #: production, so a request signed for another endpoint can never be replayed here.
    public_hosts: tuple[str, ...] = field(default=())
