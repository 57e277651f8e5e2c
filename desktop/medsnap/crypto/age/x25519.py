"""The native X25519 recipient type and its Bech32 key strings."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from . import b64, bech32
from .errors import HeaderError, KeyFormatError
from .header import Stanza, hkdf_sha256

STANZA_TYPE = "X25519"
WRAP_INFO = b"age-encryption.org/v1/X25519"
RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
_ZERO_NONCE = bytes(12)


def _public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


class X25519Recipient:
    """A colleague's public key (``age1...``) that files can be encrypted to."""

    def __init__(self, public_key: X25519PublicKey):
        self.public_key = public_key

    @classmethod
    def from_string(cls, text: str) -> X25519Recipient:
        hrp, data = bech32.decode(text.strip())
        if hrp != RECIPIENT_HRP or text.strip().lower() != text.strip():
            raise KeyFormatError("a public key must start with age1 and be lowercase")
        if len(data) != 32:
            raise KeyFormatError("a public key must hold 32 bytes")
        return cls(X25519PublicKey.from_public_bytes(data))

    def to_string(self) -> str:
        return bech32.encode(RECIPIENT_HRP, _public_bytes(self.public_key))

    def __str__(self) -> str:
        return self.to_string()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, X25519Recipient) and _public_bytes(self.public_key) == _public_bytes(other.public_key)

    def __hash__(self) -> int:
        return hash(_public_bytes(self.public_key))

    def wrap(self, file_key: bytes) -> list[Stanza]:
        ephemeral = X25519PrivateKey.generate()
        share = _public_bytes(ephemeral.public_key())
        recipient = _public_bytes(self.public_key)
        shared = ephemeral.exchange(self.public_key)
        wrap_key = hkdf_sha256(shared, share + recipient, WRAP_INFO)
        body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
        return [Stanza(STANZA_TYPE, [b64.encode(share).decode("ascii")], body)]


class X25519Identity:
    """A private key (``AGE-SECRET-KEY-1...``) that opens files sent to its recipient."""

    def __init__(self, private_key: X25519PrivateKey):
        self.private_key = private_key
        self._public = _public_bytes(private_key.public_key())

    @classmethod
    def generate(cls) -> X25519Identity:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_string(cls, text: str) -> X25519Identity:
        hrp, data = bech32.decode(text.strip())
        if hrp != IDENTITY_HRP.lower() or text.strip().upper() != text.strip():
            raise KeyFormatError("a private key must start with AGE-SECRET-KEY-1 in capitals")
        if len(data) != 32:
            raise KeyFormatError("a private key must hold 32 bytes")
        return cls(X25519PrivateKey.from_private_bytes(data))

    def to_string(self) -> str:
        raw = self.private_key.private_bytes_raw()
        return bech32.encode(IDENTITY_HRP, raw)

    def recipient(self) -> X25519Recipient:
        return X25519Recipient(self.private_key.public_key())

    def __repr__(self) -> str:  # never show the secret
        return f"X25519Identity(recipient={self.recipient().to_string()})"

    def unwrap(self, stanzas: list[Stanza]) -> bytes | None:
        """Return the file key from the first stanza addressed to us, else None."""
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanza.args) != 1:
                raise HeaderError("an X25519 stanza must have exactly one argument")
            share = b64.decode(stanza.args[0].encode("ascii"), "an X25519 share")
            if len(share) != 32:
                raise HeaderError("an X25519 share must be 32 bytes")
            if len(stanza.body) != 32:
                raise HeaderError("an X25519 stanza body must be 32 bytes")
            try:
                shared = self.private_key.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:
                shared = bytes(32)
            if shared == bytes(32):
                raise HeaderError("an X25519 share is a low-order point")
            wrap_key = hkdf_sha256(shared, share + self._public, WRAP_INFO)
            try:
                return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, stanza.body, None)
            except InvalidTag:
                continue
        return None
