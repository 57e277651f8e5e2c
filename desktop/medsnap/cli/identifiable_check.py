"""`send --declare not-identifiable` on a picture MedSnap itself flagged, or with nothing
redacted or cropped, needs a confirmation.

The window asks first ("Patient not identifiable?", ui/identifiable_guard.py) when a radiograph
may have details burned into its pixels, the picture is a page of a letter, or nothing on the
picture was redacted or cropped. A command cannot ask, and coordinates typed blind can miss a
name, so the sender confirms with a flag in those cases (a flagged picture whatever was
redacted); without it nothing is sent.
"""

from __future__ import annotations

import argparse

from medsnap.imaging.identifying import identifying_reason

CONFIRM_FLAG = "--confirm-not-identifiable"


def require_confirmation(args: argparse.Namespace, picture) -> None:
    """Raise UsageError (exit 2) for an unconfirmed 'not identifiable' on a flagged picture."""
    if getattr(args, "declare", None) != "not-identifiable" or \
            getattr(args, "confirm_not_identifiable", False):
        return
    edited = bool(getattr(args, "redact", None)) or getattr(args, "crop", None) is not None
    reason = identifying_reason(picture, edited=edited)
    if not reason:
        return
    from medsnap.errors import UsageError

    picture.image.close()
    raise UsageError(
        f"You declared the patient not identifiable, but {reason}. Nothing was sent. Either "
        "cover every name, number, date and face (--redact X,Y,W,H, or --crop X,Y,W,H) and, "
        f"once you have checked that every identifier is redacted or cropped away, add "
        f"{CONFIRM_FLAG}; or declare why you may share it (--declare direct-care, "
        "consent-verbal or consent-written).")
