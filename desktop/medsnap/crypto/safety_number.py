"""A short number two clinicians read to each other to confirm they hold the same keys.

Twenty decimal digits in five groups of four (about 66 bits): short enough to read aloud, long
enough that nobody can search for a different key pair with the same number (12 digits, about 40
bits, could be matched by brute force on one machine). Derived from both public keys only, so a
re-issued certificate for the same keys keeps its number and a new key changes it.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from medsnap.crypto.identity import ClinicianCertificates

_DOMAIN = b"MedSnap safety number v1\x00"
DIGITS = 20


def safety_number(certs: ClinicianCertificates) -> str:
    raw = Encoding.Raw, PublicFormat.Raw
    digest = hashlib.sha256(_DOMAIN + certs.signing_key.public_bytes(*raw)
                            + certs.encryption_key.public_bytes(*raw)).digest()
    # 128 bits reduced mod 10**20: the bias is below 2**-60, irrelevant for comparison
    number = f"{int.from_bytes(digest[:16], 'big') % 10**DIGITS:0{DIGITS}d}"
    return " ".join(number[i:i + 4] for i in range(0, DIGITS, 4))
