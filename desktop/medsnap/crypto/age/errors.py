"""Typed age errors: each says what happened, what was kept safe, and what to do next."""

from __future__ import annotations

from medsnap.errors import CryptoError


class AgeError(CryptoError):
    """Base for every age encryption or decryption failure."""

    def __init__(self, detail: str, message: str | None = None):
        self.detail = detail
        super().__init__(message or detail)


class NoIdentityMatched(AgeError):
    """None of the given keys or passphrases opens the file."""

    def __init__(self, detail: str = "no identity matched any recipient"):
        super().__init__(
            detail,
            "This file was not encrypted for any of the keys or the passphrase you gave "
            f"({detail}). Nothing was decrypted and the file is unchanged. Check that you "
            "chose your own key file or typed the right passphrase; otherwise ask the sender "
            "to encrypt it again for your current key.",
        )


class HeaderError(AgeError):
    """The age header is malformed, unsupported, or breaks a rule of the format."""

    def __init__(self, detail: str):
        super().__init__(
            detail,
            f"The encrypted file is damaged or is not an age v1 file ({detail}). Nothing "
            "was decrypted and the file is unchanged. Ask the sender to send it again.",
        )


class HmacError(AgeError):
    """The header MAC does not match: the header was altered after encryption."""

    def __init__(self, detail: str = "header MAC mismatch"):
        super().__init__(
            detail,
            f"The encrypted file's header was altered after it was encrypted ({detail}). "
            "Nothing was decrypted and the file is unchanged. Do not trust this file; ask "
            "the sender to send it again.",
        )


class PayloadError(AgeError):
    """The encrypted payload is damaged, truncated, or has data after its end."""

    def __init__(self, detail: str):
        super().__init__(
            detail,
            f"The encrypted content is damaged or incomplete ({detail}). Decryption "
            "stopped; any output written so far is incomplete and must be discarded. The "
            "encrypted file is unchanged; ask the sender to send it again.",
        )


class ArmorError(AgeError):
    """The ASCII armor (PEM text form) is not strictly well formed."""

    def __init__(self, detail: str):
        super().__init__(
            detail,
            f"The text-armored encrypted file is malformed ({detail}). Nothing was "
            "decrypted and the file is unchanged. Ask the sender to send the file again "
            "without editing or re-wrapping it.",
        )


class KeyFormatError(AgeError):
    """A key string or key file is not a valid age key."""

    def __init__(self, detail: str):
        super().__init__(
            detail,
            f"The key is not valid ({detail}). Nothing was encrypted or decrypted. Copy "
            "the key again exactly as it was given (age1... for a colleague's public key, "
            "AGE-SECRET-KEY-1... for your own key file).",
        )


class RecipientError(AgeError):
    """The set of recipients cannot be used together (e.g. a passphrase with keys)."""

    def __init__(self, detail: str):
        super().__init__(
            detail,
            f"The file cannot be encrypted this way ({detail}). Nothing was written. "
            "Choose either one passphrase or one or more public keys.",
        )
