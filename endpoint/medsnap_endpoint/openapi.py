"""The OpenAPI 3.0 description of every route, hand-written (the protocol is in docs/PROTOCOL.md)."""

from __future__ import annotations

from typing import Any

from medsnap_endpoint import protocol as p

_SIGNATURE = {"KeyId": [], "Timestamp": [], "Nonce": [], "ContentSHA256": [], "Signature": []}
#: signed with the device key, or with a session key (the token in X-MedSnap-Session)
SIGNED = [_SIGNATURE, {**_SIGNATURE, "Session": []}]
_ERROR = {"$ref": "#/components/schemas/Error"}
_STRING = {"type": "string"}
_INT = {"type": "integer"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok: int, description: str, schema: dict | None, *errors: int,
               media: str = "application/json") -> dict:
    responses: dict[str, Any] = {str(ok): {"description": description}}
    if schema is not None:
        responses[str(ok)]["content"] = {media: {"schema": schema}}
    for status in errors:
        responses[str(status)] = {"description": "refused", **_json(_ERROR)}
    return responses


def _path_param(name: str, pattern: str | None = None) -> dict:
    schema = {"type": "string", **({"pattern": pattern} if pattern else {})}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, *, required: bool = False, array: bool = False) -> dict:
    schema: dict = {"type": "array", "items": _STRING} if array else _STRING
    return {"name": name, "in": "query", "required": required, "schema": schema,
            **({"style": "form", "explode": True} if array else {})}


def _object(required: list[str], **properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties}


_CLINICIAN = _object(["staff_id", "display_name", "email", "encryption_certificate",
                      "signing_certificate"],
                     staff_id=_STRING, display_name=_STRING, email=_STRING, role=_STRING,
                     department=_STRING, encryption_certificate=_STRING,
                     signing_certificate=_STRING)
_STORED = _object(["message_id", "recipients", "size", "sha256", "duplicate"],
                  message_id=_STRING, recipients={"type": "array", "items": _STRING},
                  size=_INT, sha256=_STRING, stored_at=_INT, expires_at=_INT,
                  duplicate={"type": "boolean"})
_PEM = {"type": "string"}
_REASON = {"type": "string", "enum": list(p.REFUSAL_REASONS)}


def _op(summary: str, responses: dict, *, signed: bool, **extra: Any) -> dict:
    return {"summary": summary, "security": SIGNED if signed else [], "responses": responses,
            **extra}


def schema() -> dict:
    paths = {
        "/healthz": {"get": _op("Liveness and schema version", _responses(
            200, "alive", _object(["status"], status=_STRING, schema_version=_INT)),
            signed=False)},
        "/openapi.json": {"get": _op("This description", _responses(200, "OpenAPI", {
            "type": "object"}), signed=False)},
        "/v1/ca/root": {"get": _op("The hospital root certificate (PEM)", _responses(
            200, "root", _PEM, 503, media="application/x-pem-file"), signed=False)},
        "/v1/ca/crl": {"get": _op("A fresh certificate revocation list signed by the root", _responses(
            200, "CRL", _PEM, 503, media="application/x-pem-file"), signed=False)},
        "/v1/enrol/start": {"post": _op("Begin enrolment: code and both public keys", _responses(
            201, "challenge", _object(["challenge_id", "server_public_key", "nonce"],
                                      challenge_id=_STRING, server_public_key=_STRING,
                                      nonce=_STRING, expires_at=_INT), 400, 401, 429),
            signed=False, requestBody={"required": True, **_json(_object(
                ["staff_id", "code", "encryption_public_key", "signing_public_key"],
                staff_id=_STRING, code=_STRING, encryption_public_key=_STRING,
                signing_public_key=_STRING))})},
        "/v1/enrol/finish": {"post": _op("Prove possession of both keys; receive certificates",
            _responses(200, "certificates", _object(
                ["staff_id", "key_id", "encryption_certificate", "signing_certificate",
                 "root_certificate", "crl"], staff_id=_STRING, key_id=_STRING,
                encryption_certificate=_STRING, signing_certificate=_STRING,
                root_certificate=_STRING, crl=_STRING), 400, 401, 403, 410, 429),
            signed=False, requestBody={"required": True, **_json(_object(
                ["challenge_id", "agreement_proof", "signature"], challenge_id=_STRING,
                agreement_proof=_STRING, signature=_STRING))})},
        "/v1/keyfile": {"put": _op("Deposit my passphrase-wrapped key file (opaque bytes)",
            _responses(200, "stored", _object(["staff_id", "size"], staff_id=_STRING,
                                              size=_INT, updated_at=_INT), 400, 401, 413),
            signed=True, requestBody={"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})},
        "/v1/keyfile/{staff_id}": {"get": _op(
            "Fetch a deposited key file (rate-limited per staff id and client; audited)",
            _responses(200, "key file", {"type": "string", "format": "binary"}, 404, 429,
                       media="application/octet-stream"),
            signed=False, parameters=[_path_param("staff_id")])},
        "/v1/session": {"post": _op(
            "Agree a session key for HMAC-signed requests by X25519 (this request signed with "
            "the device key; the answer carries no key: both sides derive it)",
            _responses(201, "session", _object(
                ["session", "ephemeral_public_key", "endpoint_id", "key_confirmation",
                 "staff_id", "key_id", "expires_at"],
                session=_STRING, ephemeral_public_key=_STRING, endpoint_id=_STRING,
                key_confirmation=_STRING, staff_id=_STRING, key_id=_STRING,
                expires_at=_INT, expires_in=_INT), 400, 401, 403, 429), signed=True,
            requestBody={"required": True, **_json(_object(
                ["ephemeral_public_key"], ephemeral_public_key=_STRING))})},
        "/v1/directory": {"get": _op("Search enrolled clinicians by name, role, department",
            _responses(200, "matches", _object(["clinicians"], clinicians={
                "type": "array", "items": _CLINICIAN}), 400, 401, 429),
            signed=True, parameters=[_query("name"), _query("role"), _query("department")])},
        "/v1/directory/{staff_id}": {"get": _op("One clinician and their certificates",
            _responses(200, "clinician", _CLINICIAN, 401, 404, 429), signed=True,
            parameters=[_path_param("staff_id")])},
        "/v1/messages": {"post": _op("Send ciphertext to one or more clinicians (idempotent)",
            {**_responses(201, "stored", _STORED, 400, 401, 409, 413, 422, 429),
             "200": {"description": "already stored (same message id)", **_json(_STORED)}},
            signed=True, parameters=[_query("message_id", required=True),
                                     _query("to", required=True, array=True)],
            requestBody={"required": True, "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}})},
        "/v1/inbox": {"get": _op("My waiting messages", _responses(200, "inbox", _object(
            ["messages"], messages={"type": "array", "items": {"type": "object"}}), 401, 429),
            signed=True)},
        "/v1/inbox/{id}": {"get": _op("Download one message's ciphertext", _responses(
            200, "ciphertext", {"type": "string", "format": "binary"}, 401, 404, 410, 429,
            media="application/octet-stream"), signed=True, parameters=[_path_param("id")])},
        "/v1/inbox/{id}/ack": {"post": _op("Acknowledge: delivery receipt, ciphertext deleted",
            _responses(200, "acknowledged", _object(["id", "status"], id=_STRING,
                                                    status=_STRING), 401, 404, 410, 429),
            signed=True, parameters=[_path_param("id")])},
        "/v1/inbox/{id}/read": {"post": _op("Read receipt for the sender", _responses(
            200, "read", _object(["id", "status"], id=_STRING, status=_STRING),
            401, 404, 409, 410, 429), signed=True, parameters=[_path_param("id")])},
        "/v1/inbox/{id}/refused": {"post": _op(
            "Refusal receipt for the sender: my device acknowledged the message but refused "
            "to open it", _responses(200, "refused", _object(
                ["id", "status", "reason"], id=_STRING, status=_STRING, reason=_REASON),
                400, 401, 404, 409, 410, 413, 429), signed=True,
            parameters=[_path_param("id")],
            requestBody={"required": True, **_json(_object(["reason"], reason=_REASON))})},
        "/v1/outbox/{message_id}": {"get": _op(
            "Delivery, read and refusal status of a message I sent",
            _responses(200, "status", {"type": "object"}, 401, 404, 429), signed=True,
            parameters=[_path_param("message_id")])},
    }
    header = lambda name: {"type": "apiKey", "in": "header", "name": name}  # noqa: E731
    return {
        "openapi": "3.0.3",
        "info": {"title": "MedSnap hospital messaging endpoint", "version": p.PROTOCOL_VERSION,
                 "description": "Every signed route needs all five X-MedSnap-* headers "
                                "(and X-MedSnap-Session when signed with a session key); "
                                "see docs/PROTOCOL.md for the signature."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "KeyId": header(p.HEADER_KEY_ID), "Timestamp": header(p.HEADER_TIMESTAMP),
                "Nonce": header(p.HEADER_NONCE), "ContentSHA256": header(p.HEADER_CONTENT_SHA256),
                "Signature": header(p.HEADER_SIGNATURE), "Session": header(p.HEADER_SESSION)},
            "schemas": {"Error": _object(["error", "message"], error=_STRING, message=_STRING,
                                         details={"type": "object"})},
        },
    }
