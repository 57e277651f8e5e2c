"""The native scrypt (passphrase) recipient type."""

from __future__ import annotations

import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from . import b64
from .errors import HeaderError, RecipientError
from .header import Stanza

STANZA_TYPE = "scrypt"
SALT_LABEL = b"age-encryption.org/v1/scrypt"
_WORK_FACTOR = re.compile(r"[1-9][0-9]*")
_ZERO_NONCE = bytes(12)


def _as_bytes(passphrase: str | bytes) -> bytes:
    return passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)


def _wrap_key(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
    kdf = Scrypt(salt=SALT_LABEL + salt, length=32, n=1 << log_n, r=8, p=1)
    return kdf.derive(passphrase)


class ScryptRecipient:
    """Encrypts to a passphrase; must be the only recipient of a file."""

    def __init__(self, passphrase: str | bytes, log_n: int = 18):
        if not 1 <= log_n <= 30:
            raise RecipientError("the scrypt work factor must be between 1 and 30")
        self._passphrase = _as_bytes(passphrase)
        if not self._passphrase:
            raise RecipientError("the passphrase is empty")
        self.log_n = log_n

    def __repr__(self) -> str:
        return f"ScryptRecipient(log_n={self.log_n})"

    def wrap(self, file_key: bytes) -> list[Stanza]:
        salt = os.urandom(16)
        key = _wrap_key(self._passphrase, salt, self.log_n)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        return [Stanza(STANZA_TYPE, [b64.encode(salt).decode("ascii"), str(self.log_n)], body)]


class ScryptIdentity:
    """Opens passphrase-encrypted files, refusing work factors above ``max_log_n``."""

    def __init__(self, passphrase: str | bytes, max_log_n: int = 22):
        self._passphrase = _as_bytes(passphrase)
        self.max_log_n = max_log_n

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_log_n={self.max_log_n})"

    def unwrap(self, stanzas: list[Stanza]) -> bytes | None:
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanzas) != 1:
                raise HeaderError("a passphrase (scrypt) stanza must be the only one")
            if len(stanza.args) != 2:
                raise HeaderError("an scrypt stanza must have exactly two arguments")
            salt = b64.decode(stanza.args[0].encode("ascii"), "an scrypt salt")
            if len(salt) != 16:
                raise HeaderError("an scrypt salt must be 16 bytes")
            if not _WORK_FACTOR.fullmatch(stanza.args[1]):
                raise HeaderError("the scrypt work factor is not a plain decimal number")
            # Bound the digits first: int() of a huge decimal string is slow or refused.
            log_n = int(stanza.args[1]) if len(stanza.args[1]) <= 3 else 1 << 16
            if log_n > self.max_log_n:
                raise HeaderError(
                    f"the scrypt work factor 2^{log_n} is above the limit 2^{self.max_log_n}"
                )
            if len(stanza.body) != 32:
                raise HeaderError("an scrypt stanza body must be 32 bytes")
            key = _wrap_key(self._passphrase, salt, log_n)
            try:
                return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, stanza.body, None)
            except InvalidTag:
                continue
        return None
