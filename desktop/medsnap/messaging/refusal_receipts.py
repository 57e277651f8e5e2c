"""Refusal receipts: a letter this computer stored but refused to open is reported to its sender.

Without them a refused letter, being stored and acknowledged, showed the sender "Delivered"
while the colleague could not open it. The receipt carries only a reason from the endpoint's
fixed vocabulary (``medsnap_endpoint.protocol.REFUSAL_REASONS``), never the detail; the sender's
outbox turns it into words (``sender_reason``). A letter that arrived damaged is not
acknowledged (the endpoint keeps it), so it sends no receipt.
"""

from __future__ import annotations

#: the refusing error's class name (kept in the inbox verdict) -> the receipt's reason
_REASON_OF = {
    "NotEncryptedForMe": "not-for-me", "NotForMe": "not-for-me",
    "MalformedLetter": "damaged", "UnsupportedAlgorithm": "damaged", "CriticalHeader": "damaged",
    "BadSignature": "altered", "SenderMismatch": "altered", "PartMismatch": "altered",
    "UntrustedSender": "sender-not-confirmed", "SenderCertificateExpired": "sender-not-confirmed",
    "SenderCertificateRevoked": "sender-not-confirmed",
    "SenderKeyCompromised": "sender-not-confirmed",
    "RevocationListUnusable": "sender-not-confirmed",
    "Expired": "expired", "NotYetValid": "dated-in-future", "Replayed": "repeat",
}
#: what the sender reads, and what to do, for each reason
_SENDER_WORDS = {
    "not-for-me": "it was not encrypted for them. Send it again to them directly.",
    "damaged": "it could not be read (damaged, or not made by MedSnap). Send it again.",
    "altered": "its contents or signature did not match what was signed, so it may have been "
               "altered on the way. Send it again, and tell IT.",
    "sender-not-confirmed": "your certificate could not be confirmed. Ask IT to check your "
                            "MedSnap account, then send it again.",
    "expired": "it had expired before it was opened. Send it again if it is still needed.",
    "dated-in-future": "it was dated in the future. Check this computer's date and time, "
                       "then send it again.",
    "repeat": "it repeated a letter they already had; they have the original.",
}


def receipt_reason(refusal: str) -> str:
    """The receipt's reason for a refusal kept as ``verdict["refusal"]`` (an error's name)."""
    return _REASON_OF.get(refusal, "damaged")  # (one this version cannot name: not read)


def sender_reason(refused_by: list[str], reason: str) -> str:
    """The outbox's reason for a letter refused by ``refused_by`` (names) for ``reason``."""
    words = _SENDER_WORDS.get(reason, "it could not be opened. Send it again.")
    whose = ", ".join(f"{name}'s" for name in refused_by)
    return f"{whose} MedSnap could not open it (nothing was shown to them): {words}"
