"""age v1 file encryption (age-encryption.org/v1, C2SP age.md) on ``cryptography`` alone.

Recipient types: X25519 (``age1...`` / ``AGE-SECRET-KEY-1...``) and scrypt passphrases.
The post-quantum mlkem768x25519 type and plugins are not implemented; their stanzas are
ignored like any unknown stanza. See docs/FORMAT.md ("age v1").
"""

from __future__ import annotations

from .api import Identity, Recipient, decrypt, decrypt_stream, encrypt, encrypt_stream, unwrap_file_key
from .armor import ArmorReader, ArmorWriter
from .errors import (
    AgeError,
    ArmorError,
    HeaderError,
    HmacError,
    KeyFormatError,
    NoIdentityMatched,
    PayloadError,
    RecipientError,
)
from .header import Stanza
from .keyfile import identity_file_text, parse_identities, parse_recipients
from .scrypt import ScryptIdentity, ScryptRecipient
from .x25519 import X25519Identity, X25519Recipient

__all__ = [
    "AgeError",
    "ArmorError",
    "ArmorReader",
    "ArmorWriter",
    "HeaderError",
    "HmacError",
    "Identity",
    "KeyFormatError",
    "NoIdentityMatched",
    "PayloadError",
    "Recipient",
    "RecipientError",
    "ScryptIdentity",
    "ScryptRecipient",
    "Stanza",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "decrypt_stream",
    "encrypt",
    "encrypt_stream",
    "identity_file_text",
    "parse_identities",
    "parse_recipients",
    "unwrap_file_key",
]
