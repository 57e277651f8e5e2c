"""What a sender reads in Sent about a letter some colleague could not open (their refusal
receipt's reason: refusal_receipts) or never collected before it expired, and what to do.

Each reason is said for the colleagues it concerns: two colleagues refusing for different
reasons are told apart (a possible alteration must never hide behind another's harmless
reason), and one who never collected it is named beside those who could not open it.
"""

from __future__ import annotations

#: what the sender reads, and what to do, for each reason
_SENDER_WORDS = {
    "not-for-me": "it was not encrypted for their current keys (they may have enrolled "
                  "again). Compare safety numbers with them, then send it again.",
    "damaged": "it could not be read (damaged, or not made by MedSnap). Send it again.",
    "altered": "its contents or signature did not match what was signed, so it may have been "
               "altered on the way. Send it again, and tell IT.",
    "sender-not-confirmed": "your certificate could not be confirmed there (their list of "
                            "revoked certificates or trusted root may be out of date, or yours "
                            "was revoked). Ask IT, then send it again.",
    "expired": "it had expired before it could be opened (its expiry passed, or the date and "
               "time of one of the two computers is wrong). Send it again if it is still "
               "needed.",
    "dated-in-future": "it was dated in the future there: the date and time of one of the two "
                       "computers is wrong. Ask IT, then send it again.",
    "repeat": "it repeated a letter they had already received, so they should have that one. "
              "If they do not, send it again.",
}
_UNKNOWN = "it could not be opened. Send it again."


def not_reached(refused_by: dict[str, list[str]], missed_by: list[str]) -> str:
    """The outbox's reason: ``refused_by`` maps each refusal receipt's reason to the names
    of the colleagues who gave it; ``missed_by`` names those who never collected it."""
    parts = [f"{_whose(names)} MedSnap could not open it (nothing was shown to them): "
             f"{_SENDER_WORDS.get(reason, _UNKNOWN)}" for reason, names in refused_by.items()]
    if missed_by:
        parts.append(f"{', '.join(missed_by)} did not collect it before it expired, so it "
                     "was never shown to them. If it still matters, send it again or contact "
                     "them another way.")
    return " ".join(parts)


def _whose(names: list[str]) -> str:
    return ", ".join(f"{name}'s" for name in names)
