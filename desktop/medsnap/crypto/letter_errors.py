"""Typed letter errors. Each message says what happened, that nothing was shown, what to do."""

from __future__ import annotations

from medsnap.errors import CryptoError

_NOTHING_SHOWN = "Nothing from this letter was shown."


class LetterError(CryptoError):
    """A letter could not be sealed or opened."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        #: technical detail for logs and administrators; never shown as the main message
        self.detail = detail


class SealError(LetterError):
    """A letter could not be sealed; nothing was sent."""


class NotEncryptedForMe(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__("This letter was not encrypted for your key, so it cannot be opened. "
                         f"{_NOTHING_SHOWN} Ask the sender to send it to you again.", detail)


class MalformedLetter(LetterError):
    def __init__(self, detail: str):
        super().__init__("This letter is damaged or was not made by MedSnap "
                         f"({detail}). {_NOTHING_SHOWN} Ask the sender to send it again.", detail)


class UnsupportedAlgorithm(MalformedLetter):
    """The manifest asks for a signature algorithm other than EdDSA."""


class CriticalHeader(MalformedLetter):
    """The manifest header has a ``crit`` parameter, which MedSnap never accepts."""


class UntrustedSender(LetterError):
    """The sender's certificate does not validate (wraps the certificate error)."""

    def __init__(self, cause_message: str, detail: str = ""):
        super().__init__("The sender of this letter could not be confirmed. " + cause_message,
                         detail)


class SenderCertificateExpired(UntrustedSender):
    pass


class SenderCertificateRevoked(UntrustedSender):
    #: what the CRL says (letter_revocation.SenderRevocation), when it was read
    revocation = None


class SenderKeyCompromised(SenderCertificateRevoked):
    """Revoked because the key may be in other hands: no letter signed with it is shown, not
    even one that arrived before the revocation."""

    def __init__(self, name: str, revocation, detail: str = ""):
        LetterError.__init__(
            self, "The sender of this letter could not be confirmed. The certificate of "
            f"{name} was revoked on {revocation.revoked_at:%Y-%m-%d} because its key may have "
            "been used by someone else, so no letter signed with it can be trusted, even one "
            f"that arrived earlier. {_NOTHING_SHOWN} Ask {name} for the information another "
            "way, and tell IT.", detail)
        self.revocation = revocation


class RevocationListUnusable(UntrustedSender):
    """The CRL given to check the sender is out of date or not from the hospital root."""


class BadSignature(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__("The signature on this letter is not valid: it was altered after it "
                         f"was signed, or not signed by the named sender. {_NOTHING_SHOWN} "
                         "Do not rely on it; tell IT and ask the sender to send it again.", detail)


class SenderMismatch(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__("The sender named inside this letter is not the holder of the "
                         f"certificate that signed it. {_NOTHING_SHOWN} Do not rely on it; "
                         "tell IT.", detail)


class NotForMe(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__("This letter was not addressed to you (it may have been forwarded by "
                         f"someone else). {_NOTHING_SHOWN} Ask the original sender to send it "
                         "to you directly if you need it.", detail)


class Expired(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__(f"This letter has expired. {_NOTHING_SHOWN} Ask the sender to send "
                         "it again if it is still needed.", detail)


class NotYetValid(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__("This letter is dated in the future. "
                         f"{_NOTHING_SHOWN} Check this computer's date and time, or ask IT.",
                         detail)


class Replayed(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__("This letter has already been delivered to you once; this copy is a "
                         f"repeat. {_NOTHING_SHOWN} Open the original in your inbox; if you "
                         "did not expect a repeat, tell IT.", detail)


class PartMismatch(LetterError):
    def __init__(self, detail: str = ""):
        super().__init__(f"Part of this letter was altered after it was signed ({detail}). "
                         f"{_NOTHING_SHOWN} Do not rely on it; ask the sender to send it again.",
                         detail)
