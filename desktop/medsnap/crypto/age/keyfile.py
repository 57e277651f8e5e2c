"""Identity files (age-keygen format) and recipients files: one key per line, # comments."""

from __future__ import annotations

from datetime import datetime, timezone

from .errors import KeyFormatError
from .x25519 import X25519Identity, X25519Recipient


def _key_lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def parse_identities(text: str) -> list[X25519Identity]:
    """Parse an identity file; errors name the line but never echo a secret."""
    identities = []
    for number, line in _key_lines(text):
        try:
            identities.append(X25519Identity.from_string(line))
        except KeyFormatError as error:
            raise KeyFormatError(f"line {number} of the identity file: {error.detail}") from None
    if not identities:
        raise KeyFormatError("the identity file holds no AGE-SECRET-KEY-1 key")
    return identities


def parse_recipients(text: str) -> list[X25519Recipient]:
    recipients = []
    for number, line in _key_lines(text):
        try:
            recipients.append(X25519Recipient.from_string(line))
        except KeyFormatError as error:
            raise KeyFormatError(f"line {number} of the recipients file: {error.detail}") from None
    if not recipients:
        raise KeyFormatError("the recipients file holds no age1 public key")
    return recipients


def identity_file_text(identity: X25519Identity, created: datetime | None = None) -> str:
    """The text ``age-keygen`` writes: creation time, public key, then the secret key."""
    created = (created or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    return (
        f"# created: {created.isoformat().replace('+00:00', 'Z')}\n"
        f"# public key: {identity.recipient().to_string()}\n"
        f"{identity.to_string()}\n"
    )
