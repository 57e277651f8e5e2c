""""Patient not identifiable" on a picture MedSnap itself flagged asks first.

A radiograph whose header says text is burned into its pixels (or whose modality usually
has it), or a page of a letter, shows who the patient is unless something was redacted or
cropped away. Declaring it not identifiable with neither done is the slip a tester made on
an ultrasound: one question, "Go back" the default, catches it without slowing a clinician
who did redact or crop.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from medsnap.ui.qt_enums import Qt


def identifying_reason(document) -> str:
    """Why this picture, untouched, probably shows who the patient is ('' if no reason)."""
    if document.redactions() or document.crop is not None:
        return ""
    picture = document.picture
    if picture.dicom is not None and picture.dicom.burned_in:
        return ("MedSnap warned that this image may have patient details burned into its "
                "pixels.")
    if picture.source_format == "PDF":
        return "It is a page of a letter, and letters usually name the patient."
    return ""


def confirm_not_identifiable(parent: QWidget, reason: str, send) -> QMessageBox:
    """Go back is the default: Enter or Esc sends nothing."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Patient not identifiable?",
                      "You chose “Patient not identifiable”, but nothing is redacted or "
                      f"cropped. {reason}", QMessageBox.StandardButton.NoButton, parent)
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
