"""A small reusable client for the endpoint (httpx): signs every request with the device key.

Used by the tests and the benchmark; the app's messaging layer can use it as its transport.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from medsnap_endpoint import protocol as p
from medsnap_endpoint.errors import EndpointError


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

    @property
    def key_id(self) -> str:
        return p.key_id(self.signing.public_key())


def _raise_for(response: httpx.Response) -> httpx.Response:
    if response.status_code < 400:
        return response
    try:
        body = response.json()
        code, message = str(body.get("error", "error")), str(body.get("message", ""))
        details = body.get("details")
    except ValueError:
        code, message, details = "error", response.text[:200], None
    raise EndpointRefused(response.status_code, code, message or f"HTTP {response.status_code}",
                          details)


class EndpointClient:
    def __init__(self, base_url: str, keys: DeviceKeys | None = None, *,
                 verify: Any = True, timeout: float = 120.0, clock_offset: int = 0):
        self.keys = keys
        self.clock_offset = clock_offset  # tests use it to send stale requests
        self.http = httpx.Client(base_url=base_url.rstrip("/"), verify=verify, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EndpointClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # signing ------------------------------------------------------------------------------
    def signed_request(self, method: str, path: str, *, params: Any = None,
                       content: bytes = b"", headers: dict[str, str] | None = None,
                       nonce: str | None = None) -> httpx.Request:
        """Build (not send) a request carrying the five signature headers."""
        if self.keys is None:
            raise ValueError("this client has no device keys; enrol first")
        request = self.http.build_request(method, path, params=params, content=content,
                                          headers=headers)
        raw = request.url.raw_path.decode("latin-1")
        target, _, query = raw.partition("?")
        stamp = str(int(time.time()) + self.clock_offset)
        nonce = nonce or secrets.token_urlsafe(18)
        body_sha = hashlib.sha256(content).hexdigest()
        key_id = self.keys.key_id
        host = request.headers["Host"]  # httpx derives it from the URL (port only if not default)
        signature = self.keys.signing.sign(p.canonical_request(method, target, query, stamp,
                                                               nonce, key_id, body_sha, host))
        request.headers.update({p.HEADER_KEY_ID: key_id, p.HEADER_TIMESTAMP: stamp,
                                p.HEADER_NONCE: nonce, p.HEADER_CONTENT_SHA256: body_sha,
                                p.HEADER_SIGNATURE: p.b64(signature)})
        return request

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return _raise_for(self.http.send(self.signed_request(method, path, **kwargs)))

    # public -------------------------------------------------------------------------------
    def healthz(self) -> dict:
        return _raise_for(self.http.get("/healthz")).json()

    def root_pem(self) -> bytes:
        return _raise_for(self.http.get("/v1/ca/root")).content

    def crl_pem(self) -> bytes:
        return _raise_for(self.http.get("/v1/ca/crl")).content

    def fetch_key_file(self, staff_id: str) -> bytes:
        response = _raise_for(self.http.get(f"/v1/keyfile/{staff_id}"))
        if hashlib.sha256(response.content).hexdigest() != \
                response.headers.get(p.HEADER_CONTENT_SHA256):
            raise EndpointRefused(502, "damaged", "The key file arrived damaged; try again.")
        return response.content

    def enrol(self, staff_id: str, code: str, keys: DeviceKeys | None = None) -> dict:
        """Prove possession of both keys, redeem ``code``; this client then signs with ``keys``."""
        keys = keys or DeviceKeys.generate()
        encryption_public = p.raw_public_bytes(keys.encryption.public_key())
        signing_public = p.raw_public_bytes(keys.signing.public_key())
        challenge = _raise_for(self.http.post("/v1/enrol/start", json={
            "staff_id": staff_id, "code": code,
            "encryption_public_key": p.b64(encryption_public),
            "signing_public_key": p.b64(signing_public)})).json()
        nonce = p.unb64(challenge["nonce"])
        server_key = X25519PublicKey.from_public_bytes(p.unb64(challenge["server_public_key"]))
        hashed = p.code_hash(code)
        proof = p.enrol_agreement_proof(keys.encryption.exchange(server_key),
                                        challenge["challenge_id"], hashed, nonce)
        signature = keys.signing.sign(p.enrol_signature_payload(
            challenge["challenge_id"], hashed, nonce, encryption_public, signing_public))
        issued = _raise_for(self.http.post("/v1/enrol/finish", json={
            "challenge_id": challenge["challenge_id"], "agreement_proof": p.b64(proof),
            "signature": p.b64(signature)})).json()
        self.keys = keys
        return issued

    # signed -------------------------------------------------------------------------------
    def deposit_key_file(self, content: bytes) -> dict:
        return self.call("PUT", "/v1/keyfile", content=content,
                         headers={"Content-Type": "application/octet-stream"}).json()

    def search(self, name: str = "", role: str = "", department: str = "") -> list[dict]:
        params = {k: v for k, v in (("name", name), ("role", role),
                                    ("department", department)) if v}
        return self.call("GET", "/v1/directory", params=params).json()["clinicians"]

    def lookup(self, staff_id: str) -> dict:
        return self.call("GET", f"/v1/directory/{staff_id}").json()

    def send(self, message_id: str, recipients: list[str], ciphertext: bytes | Path) -> dict:
        content = ciphertext.read_bytes() if isinstance(ciphertext, Path) else ciphertext
        return self.call("POST", "/v1/messages",
                         params=[("message_id", message_id)] + [("to", r) for r in recipients],
                         content=content,
                         headers={"Content-Type": "application/octet-stream"}).json()

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

    def status(self, message_id: str) -> dict:
        return self.call("GET", f"/v1/outbox/{message_id}").json()
