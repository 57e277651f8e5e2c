"""A small reusable client for the endpoint: signs every request with the device key.

The app's transport (``medsnap.messaging.transport``), the tests and the benchmarks all use it.
HTTP is the standard library's, through :mod:`medsnap_endpoint.http_pool` (keep-alive, proxy,
typed connection failures); signatures come from :mod:`medsnap_endpoint.request_signing`.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from medsnap_endpoint import protocol as p
from medsnap_endpoint.client_sessions import ClientSession, SessionKeeper
from medsnap_endpoint.errors import EndpointError
from medsnap_endpoint.http_pool import (
    Answer, Body, ConnectionFailure, ConnectionPool, Origin, Proxy, tls_context)
from medsnap_endpoint.request_signing import file_sha256, session_headers, signature_headers

OCTETS = {"Content-Type": "application/octet-stream"}
_BODIED = ("POST", "PUT", "PATCH")  # a length even when empty, as http.client does
_PATH_SAFE = "/:@!$&'()*+,;=%"  # kept as written; anything else in a path is percent-encoded


class EndpointRefused(EndpointError):
    """The endpoint answered with an error; ``status`` and ``code`` are the server's."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message, code=code, details=details)
        self.status = status


@dataclass
class DeviceKeys:
    """A device's two private keys (in the app these come from the passphrase-wrapped key file)."""

    encryption: X25519PrivateKey
    signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> DeviceKeys:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @cached_property
    def key_id(self) -> str:  # cached: deriving the public key costs more than signing a hash
        return p.key_id(self.signing.public_key())


@dataclass
class PreparedRequest:
    """One request as it goes on the wire; ``target`` is the path and query exactly as signed."""

    method: str
    target: str
    headers: dict[str, str]
    body: Body = b""
    base_url: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        return self.base_url + self.target


def raise_for(response: Answer) -> Answer:
    if response.status_code < 400:
        return response
    try:
        body = response.json()
        code, message = str(body.get("error", "error")), str(body.get("message", ""))
        details = body.get("details")
    except (ValueError, AttributeError):
        code, message, details = "error", response.text[:200], None
    raise EndpointRefused(response.status_code, code, message or f"HTTP {response.status_code}",
                          details)


def _error_code(answer: Answer) -> str:
    try:
        return str(answer.json().get("error", ""))
    except (ValueError, AttributeError):
        return ""


class EndpointClient:
    def __init__(self, base_url: str, keys: DeviceKeys | None = None, *,
                 verify: ssl.SSLContext | str | bool = True, timeout: float = 120.0,
                 clock_offset: int = 0, proxy: str | None = None, sessions: bool = False):
        self.base_url = base_url.rstrip("/")
        self.origin = Origin.from_url(self.base_url)
        self._prefix = urlsplit(self.base_url).path  # an endpoint served below a path
        self.keys = keys
        self.clock_offset = clock_offset  # tests use it to send stale requests
        self._verify, self._proxy, self._timeout = verify, proxy, timeout
        self._pool: ConnectionPool | None = None  # opened at the first request
        self._pool_lock = threading.Lock()
        #: sign requests with a short-lived session key (one Ed25519 signature per session)
        #: instead of the device key each time (client_sessions.py)
        self.sessions = sessions
        self.session_path = "/v1/session"
        self.session_keeper = SessionKeeper(
            lambda body: self._send_repeatable(lambda: self.signed_request(
                "POST", self.session_path, content=body,
                headers={"Content-Type": "application/json"})),
            lambda: self.clock_offset)

    @property
    def pool(self) -> ConnectionPool:
        with self._pool_lock:  # no TLS store load or proxy parsing for a client never used
            if self._pool is None:
                tls = tls_context(self._verify) if self.origin.scheme == "https" else None
                proxy = Proxy.from_url(self._proxy) if self._proxy else None
                self._pool = ConnectionPool(self.origin, tls=tls, proxy=proxy,
                                            timeout=self._timeout)
            return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def __enter__(self) -> EndpointClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # requests -------------------------------------------------------------------------------
    def unsigned_request(self, method: str, path: str, *, params: Any = None,
                         content: Body = b"", headers: dict[str, str] | None = None
                         ) -> PreparedRequest:
        path, _, written = path.partition("?")  # a query in the path is kept as written
        target = quote(self._prefix + path, safe=_PATH_SAFE)
        query = "&".join(filter(None, [written, urlencode(params, quote_via=quote)
                                       if params else ""]))
        sent = dict(headers or {})
        if not any(name.lower() == "host" for name in sent):
            sent["Host"] = self.origin.host_header
        if isinstance(content, (bytes, bytearray)) and (content or method.upper() in _BODIED):
            sent["Content-Length"] = str(len(content))
        return PreparedRequest(method.upper(), target + (f"?{query}" if query else ""),
                               sent, content, self.base_url)

    def signed_request(self, method: str, path: str, *, params: Any = None,
                       content: Body = b"", headers: dict[str, str] | None = None,
                       nonce: str | None = None, body_sha256: str | None = None,
                       session: ClientSession | None = None) -> PreparedRequest:
        """Build (not send) a request carrying the five signature headers (signed with the
        ``session`` key and carrying its token if given, else with the device key).

        A body given as chunks (sent chunked) needs its ``body_sha256``; a file is hashed here
        from its current position, then sent from there in blocks, never read whole.
        """
        if self.keys is None:
            raise ValueError("this client has no device keys; enrol first")
        request = self.unsigned_request(method, path, params=params, content=content,
                                        headers=headers)
        if body_sha256 is None:
            if isinstance(content, (bytes, bytearray, memoryview)):
                body_sha256 = hashlib.sha256(content).hexdigest()
            elif hasattr(content, "read"):
                body_sha256, size = file_sha256(content)  # type: ignore[arg-type]
                request.headers["Content-Length"] = str(size)
            else:
                raise ValueError("a body sent in chunks needs its body_sha256")
        target, _, query = request.target.partition("?")
        host = next(value for name, value in request.headers.items()
                    if name.lower() == "host")  # as it will be sent
        timestamp = int(time.time()) + self.clock_offset
        if session is not None:
            request.headers.update(session_headers(
                session.token, session.key, self.keys.key_id, request.method, target, query,
                host, body_sha256, nonce=nonce, timestamp=timestamp))
        else:
            request.headers.update(signature_headers(
                self.keys.signing, self.keys.key_id, request.method, target, query, host,
                body_sha256, nonce=nonce, timestamp=timestamp))
        return request

    def send_request(self, request: PreparedRequest) -> Answer:
        """Send as prepared; the answer whatever its status (tests inspect refusals)."""
        return self.pool.request(request.method, request.target, request.headers, request.body)

    def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        """A signed request; an error answer raises :class:`EndpointRefused`."""
        return raise_for(self._send_signed(
            lambda session: self.signed_request(method, path, session=session, **kwargs)))

    def _send_signed(self, prepare: Any) -> Answer:
        """Send ``prepare(session)``; with sessions on, once more with a new session if the
        endpoint refused this one (expired, or the endpoint's root key was replaced)."""
        session = self.session()
        answer = self._send_repeatable(lambda: prepare(session))
        if session is not None and answer.status_code == 401 \
                and _error_code(answer) == "session_refused":
            self.session_keeper.forget(session)
            answer = self._send_repeatable(lambda: prepare(self.session()))
        return answer

    def session(self) -> ClientSession | None:
        """The current session key, opened or renewed first if needed (None: sessions are
        off, or the endpoint has none: requests are then signed with the device key)."""
        return self.session_keeper.current() if self.sessions else None

    def _get(self, path: str) -> Answer:
        return raise_for(self._send_repeatable(lambda: self.unsigned_request("GET", path)))

    def _send_repeatable(self, prepare: Any) -> Answer:
        """Send; once more (freshly signed) if a kept-alive connection turned out closed.

        Only before any answer came, and only for requests the protocol makes idempotent
        (signed ones: a message id is deduplicated, acknowledging twice is harmless; GETs).
        """
        request = prepare()
        start = request.body.tell() if hasattr(request.body, "seek") else None
        try:
            return self.send_request(request)
        except ConnectionFailure as failure:
            replayable = isinstance(request.body, bytes) or start is not None
            if not (failure.stale and replayable):
                raise
        if start is not None:
            request.body.seek(start)  # type: ignore[union-attr]
        return self.send_request(prepare())

    # public ---------------------------------------------------------------------------------
    def healthz(self) -> dict:
        return self._get("/healthz").json()

    def root_pem(self) -> bytes:
        return self._get("/v1/ca/root").content

    def crl_pem(self) -> bytes:
        return self._get("/v1/ca/crl").content

    def fetch_key_file(self, staff_id: str) -> bytes:
        response = self._get(f"/v1/keyfile/{quote(staff_id, safe='')}")
        if hashlib.sha256(response.content).hexdigest() != \
                response.headers.get(p.HEADER_CONTENT_SHA256):
            raise EndpointRefused(502, "damaged", "The key file arrived damaged; try again.")
        return response.content

    def _post_json(self, path: str, document: dict) -> dict:
        request = self.unsigned_request("POST", path, content=json.dumps(document).encode(),
                                        headers={"Content-Type": "application/json"})
        return raise_for(self.send_request(request)).json()

    def enrol(self, staff_id: str, code: str, keys: DeviceKeys | None = None) -> dict:
        """Prove possession of both keys, redeem ``code``; this client then signs with ``keys``."""
        keys = keys or DeviceKeys.generate()
        encryption_public = p.raw_public_bytes(keys.encryption.public_key())
        signing_public = p.raw_public_bytes(keys.signing.public_key())
        challenge = self._post_json("/v1/enrol/start", {
            "staff_id": staff_id, "code": code,
            "encryption_public_key": p.b64(encryption_public),
            "signing_public_key": p.b64(signing_public)})
        nonce = p.unb64(challenge["nonce"])
        server_key = X25519PublicKey.from_public_bytes(p.unb64(challenge["server_public_key"]))
        hashed = p.code_hash(code)
        proof = p.enrol_agreement_proof(keys.encryption.exchange(server_key),
                                        challenge["challenge_id"], hashed, nonce)
        signature = keys.signing.sign(p.enrol_signature_payload(
            challenge["challenge_id"], hashed, nonce, encryption_public, signing_public))
        issued = self._post_json("/v1/enrol/finish", {
            "challenge_id": challenge["challenge_id"], "agreement_proof": p.b64(proof),
            "signature": p.b64(signature)})
        self.keys = keys
        return issued

    # signed ---------------------------------------------------------------------------------
    def deposit_key_file(self, content: bytes) -> dict:
        return self.call("PUT", "/v1/keyfile", content=content, headers=OCTETS).json()

    def search(self, name: str = "", role: str = "", department: str = "") -> list[dict]:
        params = {k: v for k, v in (("name", name), ("role", role),
                                    ("department", department)) if v}
        return self.call("GET", "/v1/directory", params=params).json()["clinicians"]

    def lookup(self, staff_id: str) -> dict:
        return self.call("GET", f"/v1/directory/{quote(staff_id, safe='')}").json()

    def upload_request(self, message_id: str, recipients: list[str], ciphertext: Body, *,
                       body_sha256: str | None = None, session: ClientSession | None = None
                       ) -> PreparedRequest:
        """The signed POST of one message (``send`` sends it; tests and tools send it their way)."""
        return self.signed_request(
            "POST", "/v1/messages", params=[("message_id", message_id)]
            + [("to", r) for r in recipients], content=ciphertext, headers=OCTETS,
            body_sha256=body_sha256, session=session)

    def send(self, message_id: str, recipients: list[str], ciphertext: bytes | Path) -> dict:
        """Upload a message; a file is streamed from disk, never held in memory whole."""
        if isinstance(ciphertext, Path):
            with open(ciphertext, "rb") as file:
                def from_start(session: ClientSession | None) -> PreparedRequest:
                    file.seek(0)  # sent again (new session): the whole file again
                    return self.upload_request(message_id, recipients, file, session=session)

                return raise_for(self._send_signed(from_start)).json()
        return raise_for(self._send_signed(lambda session: self.upload_request(
            message_id, recipients, ciphertext, session=session))).json()

    def inbox(self) -> list[dict]:
        return self.call("GET", "/v1/inbox").json()["messages"]

    def download(self, item_id: str) -> bytes:
        response = self.call("GET", f"/v1/inbox/{item_id}")
        if hashlib.sha256(response.content).hexdigest() != \
                response.headers.get(p.HEADER_CONTENT_SHA256):
            raise EndpointRefused(502, "damaged", "The message arrived incomplete; download it "
                                  "again (it is still kept on the endpoint).")
        return response.content

    def acknowledge(self, item_id: str) -> dict:
        return self.call("POST", f"/v1/inbox/{item_id}/ack").json()

    def mark_read(self, item_id: str) -> dict:
        return self.call("POST", f"/v1/inbox/{item_id}/read").json()

    def mark_refused(self, item_id: str, reason: str) -> dict:
        """Refusal receipt, after acknowledging (``reason``: one of ``p.REFUSAL_REASONS``)."""
        return self.call("POST", f"/v1/inbox/{item_id}/refused",
                         content=json.dumps({"reason": reason}).encode(),
                         headers={"Content-Type": "application/json"}).json()

    def status(self, message_id: str) -> dict:
        return self.call("GET", f"/v1/outbox/{quote(message_id, safe='')}").json()
