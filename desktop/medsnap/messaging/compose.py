"""Seal a clean image to named colleagues and put it in the outbox (works offline), or send
it at once (``send_letter``)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from medsnap.crypto.letter import seal
from medsnap.crypto.letter_model import Letter
from medsnap.imaging import verify_clean
from medsnap.messaging.errors import EndpointUnreachable
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.session import Session
from medsnap.messaging.sync import SyncReport, SyncWorker


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
    sealed = _seal(session, image, to, note, declaration, expires_days, annotations,
                   colleagues, verified)
    outbox.enqueue(sealed.staff_ids, sealed.data, sealed.expires_at, sealed.message_id)
    sealed.record_queued(session)
    return sealed.message_id


def send_letter(session: Session, outbox: Outbox, image: bytes, to: list[str], *,
                note: str = "", declaration: str = "not-identifiable",
                expires_days: int | None = None, annotations: object = None,
                colleagues: list | None = None, verified: bool = False
                ) -> tuple[str, SyncReport]:
    """``queue_letter``, then send it at once: ``(outbox id, what happened)``.

    The outbox commit (fsynced) runs while the letter uploads, and the upload's last bytes
    wait for it (``Outbox.enqueue_while``), so a crash at any moment leaves what queueing
    first and then sending would: the letter not yet stored and not at the endpoint, or
    stored and then sent exactly once (now, or by the next sync). With older letters still
    queued it is queued, then all are sent in order (``SyncWorker.run_once``).
    """
    worker = SyncWorker(session, outbox)
    if outbox.items(("queued",)):
        message_id = queue_letter(session, outbox, image, to, note=note,
                                  declaration=declaration, expires_days=expires_days,
                                  annotations=annotations, colleagues=colleagues,
                                  verified=verified)
        return message_id, worker.run_once(refresh_states=False)
    sealed = _seal(session, image, to, note, declaration, expires_days, annotations,
                   colleagues, verified)
    recipients = sorted(sealed.staff_ids)  # as the outbox keeps them, and a resend sends them
    failure = outbox.enqueue_while(
        recipients, sealed.data, sealed.expires_at, sealed.message_id,
        lambda stored: worker.upload(sealed.message_id, recipients, sealed.data,
                                     before_end=stored))
    sealed.record_queued(session)  # stored: queued, then sent, in the audit log as before
    report = SyncReport()
    try:
        worker.settle(outbox.get(sealed.message_id), failure, report)
    except EndpointUnreachable as error:
        report.offline = error.message
        return sealed.message_id, report
    worker.delete_expired()
    return sealed.message_id, report


@dataclass(frozen=True)
class _Sealed:
    message_id: str
    data: bytes
    staff_ids: list[str]
    expires_at: int
    declaration: str

    def record_queued(self, session: Session) -> None:
        session.audit.record("queued", id=self.message_id, to=self.staff_ids,
                             size=len(self.data), declaration=self.declaration)


def _seal(session: Session, image: bytes, to: list[str], note: str, declaration: str,
          expires_days: int | None, annotations: object, colleagues: list | None,
          verified: bool) -> _Sealed:
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
    return _Sealed(message_id, sealed, [_staff_id(c) for c in colleagues],
                   int((expires or now + dt.timedelta(days=14)).timestamp()), declaration)


def _staff_id(certificates) -> str:
    from medsnap.crypto.identity import identity_from_certificate

    return identity_from_certificate(certificates.encryption).staff_id
