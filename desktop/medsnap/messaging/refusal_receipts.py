"""Refusal receipts: a letter this computer stored but refused to open is reported to its sender.

Without them a refused letter, being stored and acknowledged, showed the sender "Delivered"
while the colleague could not open it. The receipt carries only a reason from the endpoint's
fixed vocabulary (``medsnap_endpoint.protocol.REFUSAL_REASONS``), never the detail; the sender's
outbox turns it into words (``undelivered_words``). A letter that arrived damaged is not
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


def receipt_reason(refusal: str) -> str:
    """The receipt's reason for a refusal kept as ``verdict["refusal"]`` (an error's name)."""
    return _REASON_OF.get(refusal, "damaged")  # (one this version cannot name: not read)
