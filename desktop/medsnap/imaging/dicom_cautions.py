"""Why a DICOM frame may itself show who the patient is, in words a clinician can act on.

Header text never leaves, but what is part of the picture does: text burned into the
pixels (declared, or usual for the modality), a recognisable face, and overlay planes,
which MedSnap draws into the picture as a PACS viewer shows them.
"""

from __future__ import annotations

#: Modalities whose images commonly carry the patient's details written into the pixels.
BURNS_IN_TEXT = {"US": "ultrasound", "SC": "secondary capture (screenshot)",
                 "XA": "angiography", "ES": "endoscopy", "OT": "other / scanned",
                 "XC": "external camera photograph", "OP": "ophthalmic photograph",
                 "DOC": "scanned document", "GM": "general microscopy",
                 "RF": "fluoroscopy"}
_SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def burned_in(ds, modality: str) -> tuple[bool, str]:
    """(whether the pixels may identify the patient, the reason in plain words)."""
    declared = str(getattr(ds, "BurnedInAnnotation", "") or "").strip().upper()
    if declared == "YES":
        return True, "the file says text is burned into the image (Burned In Annotation: YES)"
    if str(getattr(ds, "RecognizableVisualFeatures", "") or "").strip().upper() == "YES":
        return True, ("the file says the patient can be recognised in the image "
                      "(Recognizable Visual Features: YES)")
    if modality in BURNS_IN_TEXT:
        return True, (f"{BURNS_IN_TEXT[modality]} images ({modality}) often have the "
                      "patient's details written into the picture")
    if str(getattr(ds, "SOPClassUID", "")).startswith(_SECONDARY_CAPTURE):
        return True, "screenshots stored as DICOM often show the patient's details"
    return False, ""


def overlay_reason(drawn: int) -> str:
    planes = "an overlay" if drawn == 1 else f"{drawn} overlays"
    return (f"the file carries {planes} from the radiology system (marks, and sometimes "
            "text), drawn into the picture as a PACS viewer shows them")


def burned_in_message(reason: str) -> str:
    return (f"This image may itself show who the patient is: {reason}. MedSnap removes the "
            "file's hidden details but cannot remove what is part of the picture. Look over "
            "the whole image and cover any name, number, date or face with the redaction "
            "tool before sending.")


def overlay_advice() -> str:
    """What to do about drawn overlays, beside the redaction tool."""
    return ("The overlay marks will be sent as part of the picture; to leave them out, "
            "untick Overlays in the radiograph toolbar (on the command line: --no-overlays).")


def damaged_overlays_note(count: int) -> str:
    planes, verb = ("One overlay", "it is") if count == 1 else (f"{count} overlays", "they are")
    return (f"{planes} in this file could not be read, so {verb} not shown and will not be "
            "sent. Compare with the PACS viewer if marks seem to be missing.")


def cautions(reason: str, drawn_overlays: int, damaged_overlays: int
             ) -> tuple[bool, str, tuple[str, ...]]:
    """(burned in, combined reason, notes for the caution bar) for one shown frame."""
    reasons = [text for text in (reason, overlay_reason(drawn_overlays) if drawn_overlays
                                 else "") if text]
    combined = "; and ".join(reasons)
    notes = []
    if combined:
        message = burned_in_message(combined)
        notes.append(f"{message} {overlay_advice()}" if drawn_overlays
                     else message)
    if damaged_overlays:
        notes.append(damaged_overlays_note(damaged_overlays))
    return bool(combined), combined, tuple(notes)
