"""Seal a clean image to named colleagues and put it in the outbox (works offline)."""

from __future__ import annotations

import datetime as dt
import secrets

from medsnap.crypto.letter import seal
from medsnap.crypto.letter_model import Letter
from medsnap.imaging import verify_clean
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.session import Session


def media_type_of(image: bytes) -> str:
    return "image/png" if image.startswith(b"\x89PNG\r\n\x1a\n") else "image/jpeg"


def queue_letter(session: Session, outbox: Outbox, image: bytes, to: list[str], *,
                 note: str = "", declaration: str = "not-identifiable",
                 expires_days: int | None = None, annotations: object = None,
                 colleagues: list | None = None, verified: bool = False) -> str:
    """Verify the image is clean, seal it, store the ciphertext; returns the outbox id.

    ``colleagues``: the certificates of ``to`` when the caller looked them up already.
    ``verified``: the caller has these very bytes from ``encode_clean``, which ran the
    verifier on them; otherwise it runs here.
    """
    if not verified:
        verify_clean(image)  # the independent verifier re-reads every file before sealing
    colleagues = colleagues or [session.colleague(name) for name in to]
    now = dt.datetime.now(dt.timezone.utc)
    expires = now + dt.timedelta(days=expires_days) if expires_days else None
    letter = Letter(image=image, media_type=media_type_of(image), note=note,
                    declaration=declaration, annotations=annotations, expires_at=expires)
    message_id = secrets.token_hex(16)  # the letter's own id too: both audit logs name it
    sealed = seal(letter, session.clinician, colleagues, now=now, root=session.root,
                  crl=session.crl(refresh=False), message_id=message_id)
    staff_ids = [_staff_id(c) for c in colleagues]
    expires_at = int((expires or now + dt.timedelta(days=14)).timestamp())
    outbox.enqueue(staff_ids, sealed, expires_at, message_id)
    session.audit.record("queued", id=message_id, to=staff_ids, size=len(sealed),
                         declaration=declaration)
    return message_id


def _staff_id(certificates) -> str:
    from medsnap.crypto.identity import identity_from_certificate

    return identity_from_certificate(certificates.encryption).staff_id
