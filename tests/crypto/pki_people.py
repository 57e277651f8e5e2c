"""Test clinicians for the certificate and letter tests (importable from any test directory)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from medsnap.crypto.certificates import ClinicianCertificates, ClinicianIdentity, HospitalCA


@dataclass(frozen=True)
class Person:
    identity: ClinicianIdentity
    signing_key: Ed25519PrivateKey
    encryption_key: X25519PrivateKey
    certificates: ClinicianCertificates


def make_person(ca: HospitalCA, email: str, name: str, *, staff_id: str = "",
                now: dt.datetime | None = None, valid_days: int = 825) -> Person:
    identity = ClinicianIdentity(email=email, staff_id=staff_id or email.split("@")[0].upper(),
                                 display_name=name, role="Registrar", department="Cardiology")
    signing, encryption = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    certs = ca.issue(identity, encryption.public_key(), signing.public_key(),
                     valid_days=valid_days, now=now)
    return Person(identity, signing, encryption, certs)


def unlocked(person: Person) -> "UnlockedClinician":
    from medsnap.crypto.letter_model import UnlockedClinician

    return UnlockedClinician(person.signing_key, person.encryption_key, person.certificates)


def tiny_png(colour: tuple[int, int, int] = (200, 30, 30), size: int = 8) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()
