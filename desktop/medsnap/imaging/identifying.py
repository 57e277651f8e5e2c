"""Why a picture probably shows who the patient is, as far as MedSnap can tell from its
source: one rule for the window's question and the command line's confirmation flag."""

from __future__ import annotations


def identifying_reason(picture) -> str:
    """A clause for a sentence ('' if MedSnap knows no reason): a radiograph flagged for
    details burned into its pixels, or a page of a letter."""
    if picture.dicom is not None and picture.dicom.burned_in:
        return "MedSnap warned that this image may have patient details burned into its pixels"
    if picture.source_format == "PDF":
        return "it is a page of a letter, and letters usually name the patient"
    return ""
