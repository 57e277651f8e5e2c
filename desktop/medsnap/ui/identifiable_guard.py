""""Patient not identifiable" on a picture MedSnap itself flagged, or on any picture with
nothing redacted or cropped, asks first.

A radiograph whose header says text is burned into its pixels (or whose modality usually
has it), or a page of a letter, shows who the patient is unless every identifier was
redacted or cropped away, which MedSnap cannot check. So the question comes every time that
claim is made for such a picture, "Go back" the default: a tester sent an ultrasound with
nothing redacted, and once the question let any redaction through, another sent one with a
single small box in an empty corner. The combination is rare, so the question is too.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from medsnap.ui.qt_enums import Qt


def identifying_reason(document) -> str:
    """Why this picture probably shows who the patient is, as a sentence ('' if MedSnap
    knows no reason; the rule is imaging.identifying's, shared with `medsnap send`)."""
    from medsnap.imaging.identifying import identifying_reason as reason_of

    reason = reason_of(document.picture, edited=bool(_done(document)))
    return f"{reason[0].upper()}{reason[1:]}." if reason else ""


def _done(document) -> list[str]:
    redactions = len(document.redactions())
    done = [f"{redactions} area{'s' if redactions != 1 else ''} redacted"] if redactions else []
    if document.crop is not None:
        done.append("the picture cropped")
    return done


def _what_was_done(document) -> str:
    """For a flagged picture (an unflagged one is asked about only when nothing was done,
    which its reason already says)."""
    from medsnap.imaging.identifying import identifying_reason as reason_of

    done = _done(document)
    if not reason_of(document.picture):
        return ""
    if not done:
        return "Nothing is redacted or cropped."
    return (f"You have {' and '.join(done)}: check that no name, number, date of birth or "
            "address is left anywhere in it.")


def confirm_not_identifiable(parent: QWidget, document, reason: str, send) -> QMessageBox:
    """Go back is the default: Enter or Esc sends nothing."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Patient not identifiable?",
                      f"You chose “Patient not identifiable”. {reason} "
                      f"{_what_was_done(document)}", QMessageBox.StandardButton.NoButton,
                      parent)
    box.setInformativeText("Redact or crop what identifies the patient, or choose why you may "
                           "share it (direct care or consent).")
    back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
    anyway = box.addButton("Send as not identifiable", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: send() if button is anyway else None)
    box.open()
    return box
