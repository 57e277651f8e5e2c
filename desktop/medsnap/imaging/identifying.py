"""Why a picture probably shows who the patient is, as far as MedSnap can tell from its
source and what was done to it: one rule for the window's question and the command line's
confirmation flag."""

from __future__ import annotations

#: said of a picture with nothing redacted or cropped (NU5: an EHR screenshot with the name,
#: date of birth and NHS number in plain view went as "not identifiable", unasked)
UNEDITED = ("nothing on it is redacted or cropped, and photos, screenshots and scans of records "
            "usually show a name, a number, a date of birth or a face")


def identifying_reason(picture, *, edited: bool = True) -> str:
    """A clause for a sentence ('' if MedSnap knows no reason): a radiograph flagged for
    details burned into its pixels, a page of a letter (whatever was redacted: MedSnap cannot
    check that every identifier was), or any picture nobody redacted or cropped
    (``edited`` False)."""
    if picture.dicom is not None and picture.dicom.burned_in:
        return "MedSnap warned that this image may have patient details burned into its pixels"
    if picture.source_format == "PDF":
        return "it is a page of a letter, and letters usually name the patient"
    if is_scanned_document(picture):
        return (f"it is one page of a scanned document of {picture.page_count} pages, and "
                "such documents usually name the patient")
    return "" if edited else UNEDITED


def is_scanned_document(picture) -> bool:
    """A multi-page TIFF: how scanners and fax gateways deliver a referral letter (NU5: one
    went as 'not identifiable', page 1 sent unasked, though the same letter as a PDF asks)."""
    return picture.source_format == "TIFF" and picture.page_count > 1
