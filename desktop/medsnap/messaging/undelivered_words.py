"""What a sender reads in Sent about a letter a colleague could not open (their refusal
receipt's reason: refusal_receipts) or never collected before it expired, and what to do."""

from __future__ import annotations

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


def refused_reason(refused_by: list[str], reason: str) -> str:
    """The outbox's reason for a letter refused by ``refused_by`` (names) for ``reason``."""
    words = _SENDER_WORDS.get(reason, "it could not be opened. Send it again.")
    whose = ", ".join(f"{name}'s" for name in refused_by)
    return f"{whose} MedSnap could not open it (nothing was shown to them): {words}"


def missed_reason(missed_by: list[str]) -> str:
    """The outbox's reason for a letter that expired before ``missed_by`` (names) collected it."""
    return (f"{', '.join(missed_by)} did not collect it before it expired, so it was never "
            "shown to them. If it still matters, send it again or contact them another way.")
