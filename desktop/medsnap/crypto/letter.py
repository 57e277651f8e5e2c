"""Seal and open letters: sign-then-encrypt with a verified manifest (docs/FORMAT.md "Letters").

``seal`` signs a manifest naming the sender, every recipient (address and SHA-256 of their
encryption certificate), a random id, times and the hash of every part, packs the manifest,
the image and the note into a strict ustar archive and encrypts it with age to all recipients.
``open_letter`` shows nothing until every check has passed, in this order: chain to the pinned
root (EKU, validity, CRL); signature; sender = certificate; I am a recipient; times; not seen
before; every part's hash and size. Members are held in memory only, never written to disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from medsnap.crypto import age, jws
from medsnap.crypto.archive import Member
from medsnap.crypto.identity import (ClinicianCertificates, ClinicianIdentity,
                                     identity_from_certificate)
from medsnap.crypto.letter_errors import (
    Expired, MalformedLetter, NotEncryptedForMe, NotForMe, NotYetValid, RevocationListUnusable,
    SealError, SenderCertificateExpired, SenderCertificateRevoked, SenderKeyCompromised,
    SenderMismatch, UntrustedSender)
from medsnap.crypto.letter_model import (
    DECLARATIONS, DEFAULT_LIFETIME, IMAGE_MEMBERS, MAX_LIFETIME, MAX_NOTE_CHARS, Letter,
    OpenedLetter, UnlockedClinician, Verification)
from medsnap.crypto.letter_parts import (
    MEMBER_LIMITS, NOTE_MEDIA_TYPE, NOTE_MEMBER, check_member_order,
    check_parts, image_matches_type, note_json, parse_note, part_claim)
from medsnap.crypto.letter_pack import seal_archive
from medsnap.crypto.letter_revocation import RevokedAfterArrival, revocation_of
from medsnap.crypto.letter_unpack import unpack
from medsnap.crypto.manifest import (Manifest, PartClaim, RecipientClaim, SenderClaim,
                                     parse_manifest)
from medsnap.crypto.replay import ReplayStore
from medsnap.crypto.validation import (CLOCK_SKEW, CertificateError, CertificateExpired,
                                       CertificateNotYetValid, CertificateRevoked, InvalidCRL,
                                       validate_clinician)

TYP = "medsnap-letter+jws"


def _utcnow(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.timezone.utc)


def certificate_sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def _check_letter(letter: Letter, now: dt.datetime) -> dt.datetime:
    if letter.media_type not in IMAGE_MEMBERS or not image_matches_type(letter.image,
                                                                        letter.media_type):
        raise SealError("The image is not a PNG or JPEG file as declared. Nothing was sent. "
                        "Export the image again and retry.")
    if letter.declaration not in DECLARATIONS:
        raise SealError("Choose how the patient could be identified (not identifiable, verbal "
                        "or written consent, direct care) before sending. Nothing was sent.")
    if len(letter.note) > MAX_NOTE_CHARS:
        raise SealError(f"The note is longer than {MAX_NOTE_CHARS} characters. Nothing was "
                        "sent. Shorten it and retry.")
    expires = letter.expires_at or now + DEFAULT_LIFETIME
    if expires.tzinfo is None:
        raise SealError("The expiry time has no time zone. Nothing was sent. "
                        "This is a fault in MedSnap; please report it to IT.")
    if not now < expires <= now + MAX_LIFETIME:
        raise SealError("The expiry must be in the future and at most 90 days away. Nothing "
                        "was sent. Choose another expiry.")
    return expires


def _raw(key: object) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)  # type: ignore[attr-defined]


def _check_parties(sender: UnlockedClinician, everyone: list[ClinicianCertificates],
                   root: x509.Certificate | None, crl: x509.CertificateRevocationList | None,
                   now: dt.datetime) -> None:
    if _raw(sender.signing_key.public_key()) != _raw(sender.certificates.signing_key):
        raise SealError("Your signing key does not match your certificate. Nothing was sent. "
                        "Sign in again or ask IT to re-issue your certificates.")
    if root is None:
        return
    try:
        validate_clinician(sender.certificates.signing, root=root, crl=crl, usage="signing",
                           now=now, intermediates=sender.intermediates)
        for certs in everyone:
            validate_clinician(certs.encryption, root=root, crl=crl, usage="encryption",
                               now=now)
    except CertificateError as exc:
        raise SealError(exc.message) from exc


def seal(letter: Letter, sender: UnlockedClinician, recipients: Sequence[ClinicianCertificates],
         *, include_self: bool = True, now: dt.datetime | None = None,
         root: x509.Certificate | None = None,
         crl: x509.CertificateRevocationList | None = None,
         message_id: str | None = None) -> bytes:
    """Sign and encrypt ``letter`` to ``recipients`` (and the sender's own "sent" copy).

    With ``root`` (and ``crl``) every certificate is validated first; without, the caller
    has validated them (for example when they were fetched from the directory).
    ``message_id``: the sender's own id for it (its outbox's), so that both audit logs name
    the letter alike; fresh and random otherwise.
    """
    now = _utcnow(now)
    expires = _check_letter(letter, now)
    everyone: dict[str, ClinicianCertificates] = {}
    for certs in [*recipients, *([sender.certificates] if include_self else [])]:
        everyone.setdefault(certificate_sha256(certs.encryption), certs)
    if not everyone:
        raise SealError("Choose at least one colleague to send to. Nothing was sent.")
    _check_parties(sender, list(everyone.values()), root, crl, now)
    me = identity_from_certificate(sender.certificates.signing)
    image_name = IMAGE_MEMBERS[letter.media_type]
    note = note_json(letter.note, letter.declaration, letter.annotations)
    message_id = message_id or secrets.token_hex(16)
    chain = [sender.certificates.signing, *sender.intermediates]

    def sign_manifest(image_sha256: str, key: Ed25519PrivateKey = sender.signing_key) -> bytes:
        manifest = Manifest(
            message_id=message_id,
            issued_at=int(now.timestamp()), expires_at=int(expires.timestamp()),
            sender=SenderClaim(me.email, me.staff_id, me.display_name, me.role),
            recipients=tuple(RecipientClaim(c.email, digest) for digest, c in everyone.items()),
            parts=(PartClaim(image_name, letter.media_type, len(letter.image), image_sha256),
                   part_claim(NOTE_MEMBER, NOTE_MEDIA_TYPE, note)))
        return jws.sign(manifest.to_json(), key, typ=TYP, chain=chain)

    # the length a signed manifest will have, signed by a throwaway key over a placeholder
    manifest_length = len(sign_manifest("0" * 64, Ed25519PrivateKey.generate()))
    return seal_archive((image_name, letter.image), note, sign_manifest, manifest_length,
                        [age.X25519Recipient(c.encryption_key) for c in everyone.values()])


def delivery_digest(data: bytes) -> str:
    """SHA-256 of the age header, which identifies this encrypted copy of a letter.

    The header holds fresh random key shares and a MAC over them keyed by the file key, so a
    re-encrypted or re-wrapped copy always has a different header; and a copy that keeps the
    header but changes the payload fails decryption or the part hashes. Hashing the header
    instead of the whole file saves a pass over large images.
    """
    marker = data.find(b"\n--- ")
    end = data.find(b"\n", marker + 5) if marker >= 0 else -1
    return hashlib.sha256(data[:end + 1] if end >= 0 else data).hexdigest()


def _unpack(data: bytes, me: UnlockedClinician) -> list[Member]:
    try:
        return unpack(data, [age.X25519Identity(me.encryption_key)], MEMBER_LIMITS)
    except age.NoIdentityMatched as exc:
        raise NotEncryptedForMe(exc.detail) from exc
    except age.AgeError as exc:
        raise MalformedLetter(f"the encrypted file is damaged: {exc.detail}") from exc


def _validate_sender(chain: list[x509.Certificate], root: x509.Certificate,
                     crl: x509.CertificateRevocationList | None, now: dt.datetime,
                     arrived_at: dt.datetime | None
                     ) -> tuple[ClinicianIdentity, RevokedAfterArrival | None]:
    try:
        return validate_clinician(chain[0], root=root, crl=crl, usage="signing", now=now,
                                  intermediates=chain[1:]), None
    except (CertificateExpired, CertificateNotYetValid) as exc:
        raise SenderCertificateExpired(exc.message, type(exc).__name__) from exc
    except CertificateRevoked as exc:
        # raised last, once chain, usage, identity and the CRL itself have passed
        revocation = revocation_of(crl, chain[0].serial_number)
        if revocation is not None and revocation.spares(arrived_at):
            identity = validate_clinician(chain[0], root=root, crl=None, usage="signing",
                                          now=now, intermediates=chain[1:])
            return identity, RevokedAfterArrival(arrived_at, revocation)  # type: ignore[arg-type]
        detail = f"revoked ({revocation.reason if revocation else '?'})"
        if revocation is not None and revocation.key_compromised:
            name = identity_from_certificate(chain[0]).display_name
            raise SenderKeyCompromised(name, revocation, detail) from exc
        refusal = SenderCertificateRevoked(exc.message, detail)
        refusal.revocation = revocation
        raise refusal from exc
    except InvalidCRL as exc:
        raise RevocationListUnusable(exc.message, type(exc).__name__) from exc
    except CertificateError as exc:
        raise UntrustedSender(exc.message, type(exc).__name__) from exc


def _check_times(manifest: Manifest, now: dt.datetime) -> None:
    stamp = now.timestamp()
    if manifest.issued_at > stamp + CLOCK_SKEW.total_seconds():
        raise NotYetValid(f"issued at {manifest.issued_at}, now {int(stamp)}")
    if manifest.expires_at < stamp:
        raise Expired(f"expired at {manifest.expires_at}, now {int(stamp)}")
    if manifest.expires_at - manifest.issued_at > MAX_LIFETIME.total_seconds():
        raise MalformedLetter("the letter claims a lifetime longer than 90 days")


def open_letter(data: bytes, me: UnlockedClinician, *, root: x509.Certificate,
                crl: x509.CertificateRevocationList | None, replay_store: ReplayStore,
                now: dt.datetime | None = None, reopen: bool = False,
                arrived_at: dt.datetime | None = None) -> OpenedLetter:
    """Decrypt and verify ``data``; only a fully verified letter is returned.

    ``reopen=True`` lets the reader view again the very same file it accepted before
    (the inbox keeps ciphertext only); any other repeat of a message id is :class:`Replayed`.
    ``arrived_at``: when this reader verified the letter on arrival (its own record, never the
    letter's times); a sender revoked after it, for a reason other than a compromised key,
    does not refuse it but is reported in ``verification.sender_revoked`` (letter_revocation).
    """
    now = _utcnow(now)
    file_sha256 = delivery_digest(data)
    members = _unpack(data, me)
    media_type = check_member_order(members)
    token = jws.parse(members[0].data)
    if token.header.get("typ") != TYP:
        raise MalformedLetter("manifest is not a MedSnap letter manifest")
    chain = token.certificates()
    identity, revoked = _validate_sender(chain, root, crl, now, arrived_at)  # 1. chain
    token.verify(chain[0].public_key())  # type: ignore[arg-type]            # 2. signature
    manifest = parse_manifest(token.payload)
    claimed = manifest.sender                                                # 3. sender
    if (claimed.email, claimed.staff_id, claimed.name, claimed.role) != (
            identity.email, identity.staff_id, identity.display_name, identity.role):
        raise SenderMismatch(f"manifest names {claimed.email}, certificate {identity.email}")
    mine = certificate_sha256(me.certificates.encryption)                   # 4. recipient
    my_email = me.certificates.email.lower()
    if not any(r.enc_cert_sha256 == mine and r.email.lower() == my_email
               for r in manifest.recipients):
        raise NotForMe(f"{my_email} with certificate {mine[:16]} is not listed")
    _check_times(manifest, now)                                              # 5. times
    replay_store.check(manifest.message_id, file_sha256, reopen=reopen)      # 6. replay
    check_parts(manifest.parts, members, media_type)                         # 7. parts
    note, declaration, annotations = parse_note(members[2].data)
    # recorded only now, so a tampered copy cannot burn the id of the genuine letter
    replay_store.record(manifest.message_id, file_sha256, manifest.expires_at,
                        int(now.timestamp()))
    return OpenedLetter(
        message_id=manifest.message_id, sender=identity,
        recipients=tuple(r.email for r in manifest.recipients),
        issued_at=dt.datetime.fromtimestamp(manifest.issued_at, dt.timezone.utc),
        expires_at=dt.datetime.fromtimestamp(manifest.expires_at, dt.timezone.utc),
        image=members[1].data, media_type=media_type, note=note, declaration=declaration,
        annotations=annotations,
        verification=Verification(chain[0].serial_number, certificate_sha256(chain[0]),
                                  revocation_checked=crl is not None,
                                  sender_revoked=revoked))
