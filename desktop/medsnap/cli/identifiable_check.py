"""`send --declare not-identifiable` on a picture MedSnap itself flagged needs a confirmation.

The window asks first ("Patient not identifiable?", ui/identifiable_guard.py) when a radiograph
may have details burned into its pixels or the picture is a page of a letter. A command cannot
ask, and coordinates typed blind can miss a name, so the sender confirms with a flag whenever
the picture is flagged, redactions or not; without it nothing is sent.
"""

from __future__ import annotations

import argparse

CONFIRM_FLAG = "--confirm-not-identifiable"


def identifying_reason(picture) -> str:
    """Why this picture probably shows who the patient is ('' if MedSnap has no reason);
    the same two reasons the window's guard gives."""
    if picture.dicom is not None and picture.dicom.burned_in:
        return "MedSnap warned that this image may have patient details burned into its pixels"
    if picture.source_format == "PDF":
        return "it is a page of a letter, and letters usually name the patient"
    return ""


def require_confirmation(args: argparse.Namespace, picture) -> None:
    """Raise UsageError (exit 2) for an unconfirmed 'not identifiable' on a flagged picture."""
    if getattr(args, "declare", None) != "not-identifiable" or \
            getattr(args, "confirm_not_identifiable", False):
        return
    reason = identifying_reason(picture)
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
