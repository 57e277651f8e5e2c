"""What an endpoint's refusal of a send means for the clinician: a colleague who can no longer
receive (account disabled, certificate revoked) is refused again on every Retry, so Sent offers
no Retry for it and says what to do instead; other refusals may pass on a second try."""

from __future__ import annotations

#: the endpoint's words (recipients_unreachable) in the reason the outbox keeps
RECIPIENT_GONE = "cannot receive messages"


def recipient_gone(reason: str) -> bool:
    return RECIPIENT_GONE in (reason or "")


def retry_can_help(reason: str) -> bool:
    return not recipient_gone(reason)


def gone_wording(name: str) -> str:
    return (f"{name} can no longer receive MedSnap messages (their certificate was revoked "
            "or their account is disabled). Nothing was sent to anyone. Choose another "
            "colleague, or ask IT.")
