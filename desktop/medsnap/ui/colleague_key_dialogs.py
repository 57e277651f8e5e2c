"""The two questions about a colleague's key: compare the safety number in person ("They
match" marks them verified), and send anyway or not when their key changed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from medsnap.messaging.colleague_keys import safety_number_of


def show_safety_number(parent: QWidget, entry: dict, on_verified) -> QMessageBox:
    """The safety number to compare in person; "They match" marks the colleague verified."""
    number = safety_number_of(entry)
    box = QMessageBox(QMessageBox.Icon.Information, "Safety number",
                      f"Safety number for {entry['display_name']}:\n\n{number}\n\n"
                      "Ask them to open Messages ▸ My safety number… and read it to you (in "
                      "person or by phone). If the numbers match, messages to them can be read "
                      "by them alone.", parent=parent)
    match = box.addButton("They match", QMessageBox.ButtonRole.AcceptRole)
    not_now = box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(not_now)  # Enter confirms nothing: "They match" only when compared
    box.setEscapeButton(not_now)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_verified(entry, number)
                              if button is match else None)
    box.open()
    return box


def confirm_key_change(parent: QWidget, entry: dict, send, compare) -> QMessageBox:
    """Asked before sending to a colleague whose key changed. Cancel is the default, so
    Enter or Esc sends nothing; comparing the safety number is one click away."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Key changed",
                      f"{entry['display_name']}'s key has changed since you last sent to them.",
                      parent=parent)
    box.setInformativeText("It may be a new computer, or someone pretending to be them. "
                           "Compare the safety number with them, in person or by phone, "
                           "before you send. Nothing has been sent yet.")
    check = box.addButton("Compare safety number…", QMessageBox.ButtonRole.ActionRole)
    anyway = box.addButton("Send anyway", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: send() if button is anyway
                              else compare() if button is check else None)
    box.open()
    return box
